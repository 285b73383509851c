using System.Text.Json;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

public sealed class ChatCompletionRequestReaderTests
{
    private static readonly OpenAiOptions Options = new()
    {
        MaxMessages = 3,
        MaxInputCharacters = 20,
        MaxCompletionTokens = 100,
        DefaultChatMaxTokens = 50,
        MaxChoices = 2,
        MaxStopSequences = 2,
        MaxStopSequenceCharacters = 3,
    };

    private static GenerationCall Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ChatCompletionRequestReader.Read(document.RootElement, Options);
    }

    [Fact]
    public void Read_Messages_OneChatInputWithDefaults()
    {
        var call = Read("""{"model": "tiny", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}""");

        var input = Assert.Single(call.Request.Inputs);
        Assert.Equal([("system", "Be brief."), ("user", "Hi")], input.Messages!.Select(m => (m.Role, m.Content)));
        Assert.Null(input.Prompt);
        Assert.Equal(50, call.Request.Options.MaxTokens);
        Assert.Null(call.Request.Options.Temperature);
        Assert.Empty(call.Request.Options.Stop);
        Assert.Equal(1, call.Request.N);
        Assert.False(call.Stream);
        Assert.False(call.IncludeUsage);
    }

    [Fact]
    public void Read_EverySamplingField_Honoured()
    {
        var call = Read("""
            {"model": "tiny:2", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 7, "temperature": 0, "top_p": 0.5,
             "top_k": 40, "seed": -3, "stop": ["\n", "."], "n": 2, "stream": true, "stream_options": {"include_usage": true}, "user": "end-user"}
            """);

        var options = call.Request.Options;
        Assert.Equal("tiny:2", call.Request.Model);
        Assert.Equal(7, options.MaxTokens);
        Assert.Equal(0, options.Temperature);
        Assert.Equal(0.5, options.TopP);
        Assert.Equal(40, options.TopK);
        Assert.Equal(-3, options.Seed);
        Assert.Equal(["\n", "."], options.Stop);
        Assert.Equal(2, call.Request.N);
        Assert.Equal("end-user", call.Request.User);
        Assert.True(call.Stream);
        Assert.True(call.IncludeUsage);
    }

    [Fact]
    public void Read_MaxCompletionTokens_WinsOverMaxTokens()
    {
        Assert.Equal(9, Read("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 5, "max_completion_tokens": 9}""").Request.Options.MaxTokens);
    }

    [Fact]
    public void Read_TextPartsAndDeveloperRole_JoinedTextAndSystemRole()
    {
        var call = Read("""{"model": "m", "messages": [{"role": "developer", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}""");

        var message = Assert.Single(Assert.Single(call.Request.Inputs).Messages!);
        Assert.Equal("system", message.Role);
        Assert.Equal("ab", message.Content);
    }

    [Fact]
    public void Read_NullsAndNoOpValuesOfUnsupportedFields_Accepted()
    {
        var call = Read("""
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": null, "stop": null, "tools": [], "tool_choice": "none",
             "logprobs": false, "presence_penalty": 0, "frequency_penalty": 0, "response_format": {"type": "text"}, "logit_bias": {}, "top_k": -1, "unknown": 1}
            """);

        Assert.Null(call.Request.Options.Temperature);
        Assert.Null(call.Request.Options.TopK);
    }

    [Theory]
    [InlineData("""{"model": "m"}""", "messages", "'messages' is required")]
    [InlineData("""{"model": "m", "messages": "hi"}""", "messages", "must be a list of messages")]
    [InlineData("""{"model": "m", "messages": []}""", "messages", "at least one message")]
    [InlineData("""{"model": "m", "messages": [1]}""", "messages", "'messages[0]' must be an object")]
    [InlineData("""{"model": "m", "messages": [{"content": "x"}]}""", "messages", "'messages[0].role' must be a string")]
    [InlineData("""{"model": "m", "messages": [{"role": "robot", "content": "x"}]}""", "messages", "must be one of system, developer, user, assistant, not \"robot\"")]
    [InlineData("""{"model": "m", "messages": [{"role": "tool", "content": "x"}]}""", "messages", "tool calls are not generated")]
    [InlineData("""{"model": "m", "messages": [{"role": "user"}]}""", "messages", "'messages[0].content' is required")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": 5}]}""", "messages", "must be a string or a list of text parts")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]}""", "messages", "only \"text\" parts")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}, {"role": "user", "content": "x"}, {"role": "user", "content": "x"}, {"role": "user", "content": "x"}]}""", "messages", "at most 3 are allowed (OpenAi:MaxMessages)")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "0123456789"}, {"role": "user", "content": "01234567890"}]}""", "messages", "more than 20 characters of content (OpenAi:MaxInputCharacters)")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 101}""", "max_tokens", "from 1 to 100 (OpenAi:MaxCompletionTokens)")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "max_completion_tokens": 0}""", "max_completion_tokens", "from 1 to 100")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 2.5}""", "temperature", "from 0 to 2")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "top_p": "high"}""", "top_p", "from 0 to 1")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "seed": 1.5}""", "seed", "'seed' must be an integer")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 3}""", "n", "from 1 to 2 (OpenAi:MaxChoices)")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": ["a", "b", "c"]}""", "stop", "at most 2 are allowed (OpenAi:MaxStopSequences)")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": "abcd"}""", "stop", "at most 3 are allowed (OpenAi:MaxStopSequenceCharacters)")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": [""]}""", "stop", "'stop[0]' is empty")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": [1]}""", "stop", "'stop[0]' must be a string")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}""", "stream", "true or false")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "stream_options": {"include_usage": true}}""", "stream_options", "only allowed when 'stream' is true")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]}""", "tools", "not supported")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "logprobs": true}""", "logprobs", "not supported")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}}""", "response_format", "not supported")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "x"}], "presence_penalty": 0.5}""", "presence_penalty", "not supported")]
    public void Read_BadField_400NamingTheField(string json, string param, string message)
    {
        var refused = Assert.Throws<OpenAiInvalidRequestException>(() => Read(json));

        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(param, refused.Param);
        Assert.Contains(message, refused.Message);
    }
}
