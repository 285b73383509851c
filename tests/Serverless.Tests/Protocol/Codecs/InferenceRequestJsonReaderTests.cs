using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Functions.Protocol.Codecs;

namespace Serverless.Tests.Protocol.Codecs;

public sealed class InferenceRequestJsonReaderTests
{
    private static InferenceRequest Read(string json) => InferenceRequestJsonReader.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Read_KeysInAnyOrder_DecodesDataAfterDatatypeAndShape()
    {
        var request = Read("""
            {"outputs":[{"name":"y"}],"inputs":[{"data":[[1,2],[3,4]],"datatype":"INT64","shape":[2,2],"name":"a","parameters":{"p":1}}],"id":"42","parameters":{}}
            """);

        Assert.Equal("42", request.Id);
        var input = Assert.Single(request.Inputs);
        Assert.Equal("a", input.Name);
        Assert.Equal(TensorDataType.Int64, input.DataType);
        Assert.Equal([2L, 2L], input.Shape);
        Assert.Equal(32, input.Data.Length);
        Assert.Equal(["y"], request.RequestedOutputs);
    }

    [Theory]
    [InlineData("FP32", "[[0.5,-1.25e3],[3,/* a comment */ 4]]")]
    [InlineData("FP64", "[0.30000001192092896, 1e-300, \"NaN\", -0]")]
    [InlineData("FP16", "[1, 2, \"-Infinity\", 65504]")]
    [InlineData("INT64", "[[1,-2],[9223372036854775807,4]]")]
    [InlineData("BOOL", "[true,false,1,0]")]
    [InlineData("BYTES", "[\"a\",\"\\u00e9\",\"\",\"[x]\"]")]
    public void Read_DataBeforeOrAfterItsShape_SameTensor(string datatype, string data)
    {
        // Data after the name, shape and datatype is decoded in the reader's own pass; before them, located first and
        // decoded later. Either way, the same bytes, and the keys and inputs after it are read on.
        var after = Read($$$"""{"inputs":[{"name":"a","shape":[2,2],"datatype":"{{{datatype}}}","data":{{{data}}},"parameters":{"p":1}},{"name":"b","shape":[1],"datatype":"INT32","data":[7]}],"outputs":[{"name":"y"}],"id":"1"}""");
        var before = Read($$$"""{"inputs":[{"data":{{{data}}},"datatype":"{{{datatype}}}","name":"a","shape":[2,2]},{"name":"b","shape":[1],"datatype":"INT32","data":[7]}],"outputs":[{"name":"y"}],"id":"1"}""");

        Assert.Equal(before.Inputs[0].Data.ToArray(), after.Inputs[0].Data.ToArray());
        Assert.Equal([7, 0, 0, 0], after.Inputs[1].Data.ToArray());
        Assert.Equal(["y"], after.RequestedOutputs);
        Assert.Equal("1", after.Id);
    }

    [Theory]
    [InlineData("\"shape\":[2,2]", "data has 2 elements but shape [2,2] needs 4")]
    [InlineData("\"shape\":[1]", "data has more than the 1 elements shape [1] needs")]
    public void Read_ShapeRepeatedAfterTheData_TheLastShapeIsTheOneChecked(string repeated, string expected)
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() =>
            Read($$$"""{"inputs":[{"name":"a","shape":[1,2],"datatype":"FP32","data":[1,2],{{{repeated}}}}]}"""));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_DatatypeRepeatedAfterTheData_DecodedAsTheLastDatatype()
    {
        var request = Read("""{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2],"datatype":"FP64"}]}""");

        var input = Assert.Single(request.Inputs);
        Assert.Equal(TensorDataType.FP64, input.DataType);
        Assert.Equal([1.0, 2.0], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(input.Data.Span).ToArray());
    }

    [Fact]
    public void Read_DataDecodedThenBinarySizeGiven_400AskingForOne()
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() =>
            Read("""{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1],"parameters":{"binary_data_size":4}}]}"""));

        Assert.Contains("has both 'data' and parameters.binary_data_size", error.Message);
    }

    [Theory]
    [InlineData("{\"inputs\":[", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{}", "no 'inputs'")]
    [InlineData("{\"inputs\":{}}", "'inputs' must be an array")]
    [InlineData("{\"inputs\":[{\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}", "inputs[0] has no 'name'")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"data\":[1]}]}", "input 'a' has no 'datatype'")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FLOAT\",\"data\":[1]}]}", "datatype 'FLOAT' is not one of")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"data\":[1]}]}", "input 'a' has no 'shape'")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[-1],\"datatype\":\"FP32\",\"data\":[1]}]}", "non-negative integers")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\"}]}", "input 'a' has no 'data'")]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[4000000000,4000000000,4000000000],\"datatype\":\"FP32\",\"data\":[1]}]}", "data has 1 elements but shape [4000000000,4000000000,4000000000] needs 9223372036854775807")]
    [InlineData("{\"inputs\":[]} {\"inputs\":[]}", "not valid JSON")]
    [InlineData("{\"inputs\":[]}garbage", "not valid JSON")]
    [InlineData("{\"id\":5,\"inputs\":[]}", "'id' must be a string")]
    public void Read_MalformedRequest_ThrowsWithTheField(string json, string expected)
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() => Read(json));

        Assert.Contains(expected, error.Message);
    }

    private static InferenceRequest ReadBinary(string json, byte[] binary, out BinaryOutputSelection outputs, PooledTensorBuffers? buffers = null) =>
        InferenceRequestJsonReader.Read(Encoding.UTF8.GetBytes(json), binary, buffers, out outputs);

    [Fact]
    public void Read_BinaryAndJsonInputs_BinaryOnesSliceTheSectionInOrderWithoutCopy()
    {
        byte[] binary = [1, 0, 1, 0, 0, 0x80, 0x3F];
        var request = ReadBinary("""
            {"inputs":[
              {"name":"flags","shape":[3],"datatype":"BOOL","parameters":{"binary_data_size":3}},
              {"name":"json","shape":[2],"datatype":"INT8","data":[-1,2]},
              {"name":"one","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":4}}]}
            """, binary, out _);

        Assert.Equal([1, 0, 1], request.Inputs[0].Data.ToArray());
        Assert.Equal([0xFF, 2], request.Inputs[1].Data.ToArray());
        Assert.Equal(1.0f, BitConverter.ToSingle(request.Inputs[2].Data.Span));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(request.Inputs[2].Data, out var segment) && segment.Array == binary && segment.Offset == 3);
    }

    [Fact]
    public void Read_JsonDataWithBuffers_DecodesIntoRentedMemory()
    {
        using var buffers = new PooledTensorBuffers();

        var request = ReadBinary("""{"inputs":[{"name":"a","shape":[2],"datatype":"INT32","data":[7,8]}]}""", [], out _, buffers);

        Assert.Equal(8, request.Inputs[0].Data.Length);
        Assert.Equal(8, BitConverter.ToInt32(request.Inputs[0].Data.Span[4..]));
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":4}}]}""", 4, "input 'a': binary_data_size 4 does not match shape [2] of FP32, which needs 8 bytes")]
    [InlineData("""{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}""", 4, "input 'a': binary_data_size 8 but only 4 bytes")]
    [InlineData("""{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":4}}]}""", 6, "6 bytes of binary tensor data follow the JSON header, but the inputs' binary_data_size add up to 4")]
    [InlineData("""{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1]}]}""", 4, "add up to 0")]
    [InlineData("""{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1],"parameters":{"binary_data_size":4}}]}""", 4, "both 'data' and parameters.binary_data_size")]
    [InlineData("""{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":-4}}]}""", 4, "binary_data_size must be a non-negative integer")]
    [InlineData("""{"inputs":[{"name":"a","shape":[4],"datatype":"BOOL","parameters":{"binary_data_size":4}}]}""", 4, "input 'a': BOOL element 0 is byte 2, expected 0 or 1")]
    [InlineData("""{"inputs":[],"outputs":[{"name":"y","parameters":{"binary_data":"yes"}}]}""", 0, "'outputs[0].parameters.binary_data' must be true or false")]
    [InlineData("""{"inputs":[{"name":"a","shape":[4000000000,4000000000,4000000000],"datatype":"FP32","parameters":{"binary_data_size":4}}]}""", 4, "does not match shape [4000000000,4000000000,4000000000] of FP32")]
    public void Read_BadBinaryData_ThrowsWithTheNumbers(string json, int binaryBytes, string expected)
    {
        var binary = Enumerable.Repeat((byte)2, binaryBytes).ToArray();

        var error = Assert.Throws<InvalidInferenceInputException>(() => ReadBinary(json, binary, out _));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_WhitespaceAfterTheObject_IsFine()
    {
        Assert.Empty(Read("{\"inputs\":[]}  \r\n\t ").Inputs);
    }

    [Theory]
    [InlineData("""{"id":"ÿ","inputs":[]}""", "'id'")]
    [InlineData("""{"inputs":[{"name":"ÿ","shape":[1],"datatype":"FP32","data":[1]}]}""", "'inputs[0].name'")]
    [InlineData("""{"inputs":[{"name":"a","shape":[1],"datatype":"ÿ","data":[1]}]}""", "'inputs[0].datatype'")]
    [InlineData("""{"inputs":[],"outputs":[{"name":"ÿ"}]}""", "'outputs[0].name'")]
    public void Read_InvalidUtf8InAString_400NamingTheField(string json, string field)
    {
        // U+00FF written as the single byte 0xFF, which is never valid UTF-8 (GetString threw, a 500).
        var bytes = Encoding.Latin1.GetBytes(json);

        var error = Assert.Throws<InvalidInferenceInputException>(() => InferenceRequestJsonReader.Read(bytes));

        Assert.Contains($"{field} is not valid UTF-8", error.Message);
    }

    [Fact]
    public void Read_BinaryBytes_TritonLayoutSlicedAsIs()
    {
        byte[] binary = [.. TensorDataJsonReaderTests.Elements("a\0b"), 2, 0, 0, 0, 0xFF, 0xFE, 0, 0, 0, 0];

        var request = ReadBinary("""{"inputs":[{"name":"t","shape":[3],"datatype":"BYTES","parameters":{"binary_data_size":17}}]}""", binary, out _);

        Assert.Equal(binary, request.Inputs[0].Data.ToArray());
        Assert.Equal(TensorDataType.Bytes, request.Inputs[0].DataType);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 65, 9, 0, 0, 0, 66 }, 2, "not a sequence of 4-byte little-endian lengths")]
    [InlineData(new byte[] { 1, 0, 0, 0, 65, 1, 0 }, 2, "not a sequence of 4-byte little-endian lengths")]
    [InlineData(new byte[] { 1, 0, 0, 0, 65 }, 2, "holds 1 elements, shape [2] needs 2")]
    [InlineData(new byte[] { 1, 0, 0, 0, 65, 0, 0, 0, 0, 0, 0, 0, 0 }, 2, "holds more than 2 elements")]
    public void Read_BadBinaryBytes_400SayingWhat(byte[] binary, int elements, string expected)
    {
        var json = $$$"""{"inputs":[{"name":"t","shape":[{{{elements}}}],"datatype":"BYTES","parameters":{"binary_data_size":{{{binary.Length}}}}}]}""";

        var error = Assert.Throws<InvalidInferenceInputException>(() => ReadBinary(json, binary, out _));

        Assert.Contains("input 't'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_BinaryOutputFlags_OutputFlagWinsOverRequestDefault()
    {
        ReadBinary("""
            {"parameters":{"binary_data_output":true},"inputs":[],"outputs":[{"name":"a","parameters":{"binary_data":false}},{"name":"b"}]}
            """, [], out var outputs);

        Assert.False(outputs.IsBinary("a"));
        Assert.True(outputs.IsBinary("b"));
        Assert.True(outputs.IsBinary("not listed"));
    }

    [Fact]
    public void Read_NoBinaryParameters_EverythingJson()
    {
        ReadBinary("""{"inputs":[],"outputs":[{"name":"a"}]}""", [], out var outputs);

        Assert.Same(BinaryOutputSelection.None, outputs);
        Assert.False(outputs.IsBinary("a"));
    }
}
