using Microsoft.ML.OnnxRuntimeGenAI;
using Serverless.Core.Infrastructure.GenAI;

namespace Serverless.Tests.Text;

/// <summary>
/// ONNX Runtime GenAI's own greedy loop on a model folder, with nothing of the service in between: its tokenizer, a
/// Generator fed the prompt's ids, one token a step, each decoded by its streaming detokenizer. What the server's
/// greedy output over HTTP is held to, token for token.
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

    public void Dispose()
    {
        _tokenizer.Dispose();
        _model.Dispose();
    }
}
