using System.Text.Json;
using Serverless.Core.Text.Embeddings;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

public sealed class EmbeddingsRequestReaderTests
{
    private static readonly OpenAiOptions Options = new() { MaxInputCharacters = 10, MaxInputTokenIds = 4 };

    private static readonly EmbeddingsOptions Limits = new() { MaxInputsPerCall = 3, MaxCharactersPerInput = 10 };

    private static EmbeddingsCall Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return EmbeddingsRequestReader.Read(document.RootElement, Options, Limits);
    }

    private static OpenAiInvalidRequestException Refused(string json) => Assert.Throws<OpenAiInvalidRequestException>(() => Read(json));

    [Fact]
    public void Read_OneString_OneTextInputAndFloatEncoding()
    {
        var call = Read("""{"model": "minilm", "input": "hello", "user": "u-1"}""");

        Assert.Equal("minilm", call.Request.Model);
        Assert.Equal("hello", Assert.Single(call.Request.Inputs).Text);
        Assert.Equal("u-1", call.Request.User);
        Assert.False(call.Base64);
        Assert.Null(call.Request.Dimensions);
    }

    [Fact]
    public void Read_ListOfStrings_OneInputEachInOrder()
    {
        var call = Read("""{"model": "minilm:2", "input": ["a", "bb", "ccc"], "encoding_format": "base64", "dimensions": 384}""");

        Assert.Equal(["a", "bb", "ccc"], call.Request.Inputs.Select(i => i.Text));
        Assert.Equal("minilm:2", call.Request.Model);
        Assert.True(call.Base64);
        Assert.Equal(384, call.Request.Dimensions);
    }

    [Fact]
    public void Read_ListOfTokenIds_OneInputOfIds()
    {
        var call = Read("""{"model": "m", "input": [101, 7592, 102]}""");

        Assert.Equal([101, 7592, 102], Assert.Single(call.Request.Inputs).TokenIds!);
    }

    [Fact]
    public void Read_ListOfTokenIdLists_OneInputPerList()
    {
        var call = Read("""{"model": "m", "input": [[1, 2], [3]]}""");

        Assert.Equal([[1, 2], [3]], call.Request.Inputs.Select(i => i.TokenIds!.ToArray()));
    }

    [Fact]
    public void Read_UnknownField_Ignored()
    {
        Assert.Single(Read("""{"model": "m", "input": "x", "something_new": {"a": 1}}""").Request.Inputs);
    }

    [Theory]
    [InlineData("""{"input": "x"}""", "model", "'model' is required")]
    [InlineData("""{"model": 3, "input": "x"}""", "model", "'model' must be a string")]
    [InlineData("""{"model": "m:0", "input": "x"}""", "model", "name:version")]
    [InlineData("""{"model": "m"}""", "input", "'input' is required")]
    [InlineData("""{"model": "m", "input": 5}""", "input", "'input' must be a string")]
    [InlineData("""{"model": "m", "input": ""}""", "input", "empty string")]
    [InlineData("""{"model": "m", "input": []}""", "input", "empty list")]
    [InlineData("""{"model": "m", "input": ["a", 1]}""", "input", "'input[1]' must be a string")]
    [InlineData("""{"model": "m", "input": [[1], "a"]}""", "input", "'input[1]' must be a list of token ids")]
    [InlineData("""{"model": "m", "input": ["a", "b", "c", "d"]}""", "input", "at most 3 are allowed (Embeddings:MaxInputsPerCall)")]
    [InlineData("""{"model": "m", "input": "12345678901"}""", "input", "11 characters long; at most 10 are allowed (Embeddings:MaxCharactersPerInput)")]
    [InlineData("""{"model": "m", "input": [1, 2, 3, 4, 5]}""", "input", "at most 4 are allowed (OpenAi:MaxInputTokenIds)")]
    [InlineData("""{"model": "m", "input": [1, -2]}""", "input", "'input[1]' must be a token id")]
    [InlineData("""{"model": "m", "input": [1, 2.5]}""", "input", "'input[1]' must be a token id")]
    [InlineData("""{"model": "m", "input": [[]]}""", "input", "empty list of token ids")]
    [InlineData("""{"model": "m", "input": "x", "encoding_format": "int8"}""", "encoding_format", "\"float\" or \"base64\"")]
    [InlineData("""{"model": "m", "input": "x", "dimensions": 0}""", "dimensions", "'dimensions' must be an integer from 1")]
    [InlineData("""{"model": "m", "input": "x", "user": 7}""", "user", "'user' must be a string")]
    public void Read_BadField_400NamingTheField(string json, string param, string message)
    {
        var refused = Refused(json);

        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(param, refused.Param);
        Assert.Contains(message, refused.Message);
    }
}
