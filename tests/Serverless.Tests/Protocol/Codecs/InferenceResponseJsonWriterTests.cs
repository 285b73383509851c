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
}
