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
    [InlineData("{\"id\":5,\"inputs\":[]}", "'id' must be a string")]
    public void Read_MalformedRequest_ThrowsWithTheField(string json, string expected)
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() => Read(json));

        Assert.Contains(expected, error.Message);
    }
}
