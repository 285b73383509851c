using System.Text;
using System.Text.Json;
using Serverless.Core.Inference;
using Serverless.Functions.Protocol.Codecs;

namespace Serverless.Tests.Protocol.Codecs;

public sealed class InferenceResponseJsonWriterTests
{
    [Fact]
    public void Write_BinaryOutput_SizeParameterInsteadOfData()
    {
        var response = new InferenceResponse("m", "1", null,
        [
            new InferenceTensor("a", TensorDataType.Bool, [2], new byte[] { 1, 0 }),
            new InferenceTensor("b", TensorDataType.FP32, [1], BitConverter.GetBytes(0.5f)),
        ]);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        using (var writer = new Utf8JsonWriter(buffer))
        {
            InferenceResponseJsonWriter.Write(writer, response, new BinaryOutputSelection(true, new Dictionary<string, bool> { ["b"] = false }));
        }

        Assert.Equal(
            """{"model_name":"m","model_version":"1","outputs":[{"name":"a","datatype":"BOOL","shape":[2],"parameters":{"binary_data_size":2}},{"name":"b","datatype":"FP32","shape":[1],"data":[0.5]}]}""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void EnsureWritable_BytesOutputNotUtf8_400UnlessAskedAsBinary()
    {
        using var response = new InferenceResponse("m", "1", null,
            [new InferenceTensor("t", TensorDataType.Bytes, [2], (byte[])[.. TensorDataJsonReaderTests.Elements("ok"), 1, 0, 0, 0, 0xFF])]);

        var error = Assert.Throws<Serverless.Core.Errors.InvalidInferenceInputException>(() => InferenceResponseJsonWriter.EnsureWritable(response, BinaryOutputSelection.None));
        InferenceResponseJsonWriter.EnsureWritable(response, new BinaryOutputSelection(false, new Dictionary<string, bool> { ["t"] = true }));

        Assert.Contains("output 't': BYTES element 1 is not valid UTF-8", error.Message);
        Assert.Contains("binary_data", error.Message);
    }
}
