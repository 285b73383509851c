using Microsoft.ML.OnnxRuntimeGenAI;
using Serverless.Core.Infrastructure.GenAI;
using Serverless.SampleModels.Text;

namespace Serverless.Tests.Core.Text.Generation;

/// <summary>
/// ONNX Runtime GenAI's own greedy loop on a model folder, with nothing of the service in between: its tokenizer, a
/// Generator fed the prompt's ids, one token a step, each decoded by its streaming detokenizer. What the server's
/// greedy output (in process and over HTTP) is held to, token for token. Owned by the unit tests, linked by the
/// integration tests.
/// </summary>
public sealed class GenAiGreedyReference : IDisposable
{
    private readonly Model _model;
    private readonly Tokenizer _tokenizer;

    public GenAiGreedyReference(string folder)
    {
        // GenAI shares the process's ONNX Runtime, started the way the server starts it.
        GenAiRuntime.EnsureStarted();
        using var config = new Config(folder);
        config.ClearProviders();
        _model = new Model(config);
        _tokenizer = new Tokenizer(_model);
    }

    /// <summary>One greedy run on <paramref name="folder"/>, the model opened and closed around it.</summary>
    public static (int[] Tokens, string[] Texts) Greedy(string folder, IReadOnlyList<int> prompt, int maxTokens)
    {
        using var reference = new GenAiGreedyReference(folder);
        return reference.Greedy(prompt, maxTokens);
    }

    public int[] Tokens(string text)
    {
        using var sequences = _tokenizer.Encode(text);
        return sequences[0].ToArray();
    }

    /// <returns>The ids generated (an end-of-sequence id last when one ended it) and each one's text.</returns>
    public (int[] Tokens, string[] Texts) Greedy(IReadOnlyList<int> prompt, int maxTokens)
    {
        using var parameters = new GeneratorParams(_model);
        parameters.SetSearchOption("max_length", prompt.Count + maxTokens);
        parameters.SetSearchOption("do_sample", false);
        using var generator = new Generator(_model, parameters);
        using var stream = _tokenizer.CreateStream();
        generator.AppendTokens([.. prompt]);
        var tokens = new List<int>();
        var texts = new List<string>();
        while (!generator.IsDone())
        {
            generator.GenerateNextToken();
            var token = generator.GetNextTokens()[0];
            tokens.Add(token);
            texts.Add(stream.Decode(token));
        }
        return ([.. tokens], [.. texts]);
    }

    /// <summary>GenAI's greedy answer as a client sees it: the texts of the tokens before an end-of-sequence token, and the tokens it took.</summary>
    public GreedyAnswer Answer(IReadOnlyList<int> prompt, int maxTokens)
    {
        var (tokens, texts) = Greedy(prompt, maxTokens);
        var tokenizer = new TinyTokenizer();
        var ended = tokens[^1] == tokenizer.MessageEndId || tokens[^1] == tokenizer.EndOfTextId;
        var pieces = ended ? texts[..^1] : texts;
        return new GreedyAnswer(string.Concat(pieces), pieces, tokens.Length, ended ? "stop" : "length");
    }

    /// <summary>ChatML as the tiny tokenizer's chat template writes it, by hand: the reference's own chat prompt.</summary>
    public static string ChatMl(params (string Role, string Content)[] messages) =>
        string.Concat(messages.Select(m => $"{TinyTokenizer.MessageStart}{m.Role}\n{m.Content}{TinyTokenizer.MessageEnd}\n")) + $"{TinyTokenizer.MessageStart}assistant\n";

    public void Dispose()
    {
        _tokenizer.Dispose();
        _model.Dispose();
    }
}

/// <param name="Pieces">Each generated token's text, end-of-sequence excluded.</param>
/// <param name="CompletionTokens">Tokens generated, an end-of-sequence token included (it is billed).</param>
/// <param name="FinishReason">OpenAI's: <c>stop</c> when an end-of-sequence token ended it, else <c>length</c>.</param>
public sealed record GreedyAnswer(string Text, string[] Pieces, int CompletionTokens, string FinishReason);
