using System.Text.Json;
using Serverless.Functions.Protocol.Http;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

public sealed class GenerateRequestReaderTests
{
    private static readonly OpenAiOptions Options = new() { MaxCompletionTokens = 64, DefaultCompletionMaxTokens = 16, MaxInputCharacters = 10 };

    private static GenerationCall Read(string json, bool stream = false)
    {
        using var document = JsonDocument.Parse(json);
        return GenerateRequestReader.Read(document.RootElement, "tiny:3", stream, Options);
    }

    [Fact]
    public void Read_TextInputAndParameters_OnePromptWithThem()
    {
        var call = Read("""{"text_input": "Once", "parameters": {"max_tokens": 5, "temperature": 0.7, "top_p": 0.9, "top_k": 20, "seed": 1, "stop": "x", "stream": false, "custom": "ignored"}}""", stream: true);

        Assert.Equal("tiny:3", call.Request.Model);
        Assert.Equal("Once", Assert.Single(call.Request.Inputs).Prompt);
        var options = call.Request.Options;
        Assert.Equal((5, 0.7, 0.9, 20, 1L), (options.MaxTokens, options.Temperature, options.TopP, options.TopK, options.Seed));
        Assert.Equal(["x"], options.Stop);
        Assert.True(call.Stream);
        Assert.False(call.IncludeUsage);
    }

    [Fact]
    public void Read_TopLevelParameters_TakenAsParametersNestedOnesWin()
    {
        var call = Read("""{"text_input": "a", "max_tokens": 9, "temperature": 0, "parameters": {"max_tokens": 3}}""");

        Assert.Equal(3, call.Request.Options.MaxTokens);
        Assert.Equal(0, call.Request.Options.Temperature);
    }

    [Fact]
    public void Read_NoMaxTokens_TheCompletionDefault()
    {
        Assert.Equal(16, Read("""{"text_input": "a"}""").Request.Options.MaxTokens);
    }

    [Theory]
    [InlineData("""{}""", "text_input", "'text_input' is required")]
    [InlineData("""{"text_input": ["a"]}""", "text_input", "'text_input' must be a string")]
    [InlineData("""{"text_input": "01234567890"}""", "text_input", "OpenAi:MaxInputCharacters")]
    [InlineData("""{"text_input": "a", "parameters": 3}""", "parameters", "'parameters' must be an object")]
    [InlineData("""{"text_input": "a", "parameters": {"max_tokens": 65}}""", "max_tokens", "from 1 to 64 (OpenAi:MaxCompletionTokens)")]
    [InlineData("""{"text_input": "a", "temperature": -1}""", "temperature", "from 0 to 2")]
    public void Read_BadField_400NamingTheField(string json, string param, string message)
    {
        var refused = Assert.Throws<OpenAiInvalidRequestException>(() => Read(json));

        Assert.Equal(param, refused.Param);
        Assert.Contains(message, refused.Message);
    }
}
