using System.Text.Json;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

public sealed class CompletionRequestReaderTests
{
    private static readonly OpenAiOptions Options = new() { MaxPrompts = 2, MaxInputCharacters = 5, DefaultCompletionMaxTokens = 16 };

    private static GenerationCall Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CompletionRequestReader.Read(document.RootElement, Options);
    }

    [Fact]
    public void Read_OnePrompt_OnePromptInputAndTheCompletionDefault()
    {
        var call = Read("""{"model": "tiny", "prompt": "Once"}""");

        Assert.Equal("Once", Assert.Single(call.Request.Inputs).Prompt);
        Assert.Equal(16, call.Request.Options.MaxTokens);
    }

    [Fact]
    public void Read_ListOfPrompts_OneInputEach()
    {
        var call = Read("""{"model": "tiny", "prompt": ["a", ""], "n": 1}""");

        Assert.Equal(["a", ""], call.Request.Inputs.Select(i => i.Prompt));
    }

    [Theory]
    [InlineData("""{"model": "m"}""", "prompt", "'prompt' is required")]
    [InlineData("""{"model": "m", "prompt": []}""", "prompt", "empty list")]
    [InlineData("""{"model": "m", "prompt": [1, 2]}""", "prompt", "token ids is not supported")]
    [InlineData("""{"model": "m", "prompt": [[1, 2]]}""", "prompt", "token ids is not supported")]
    [InlineData("""{"model": "m", "prompt": ["a", "b", "c"]}""", "prompt", "at most 2 are allowed (OpenAi:MaxPrompts)")]
    [InlineData("""{"model": "m", "prompt": "123456"}""", "prompt", "at most 5 are allowed (OpenAi:MaxInputCharacters)")]
    [InlineData("""{"model": "m", "prompt": "x", "echo": true}""", "echo", "not supported")]
    [InlineData("""{"model": "m", "prompt": "x", "best_of": 3}""", "best_of", "not supported")]
    [InlineData("""{"model": "m", "prompt": "x", "suffix": "end"}""", "suffix", "not supported")]
    [InlineData("""{"model": "m", "prompt": "x", "logprobs": 2}""", "logprobs", "not supported")]
    public void Read_BadField_400NamingTheField(string json, string param, string message)
    {
        var refused = Assert.Throws<OpenAiInvalidRequestException>(() => Read(json));

        Assert.Equal(param, refused.Param);
        Assert.Contains(message, refused.Message);
    }
}
