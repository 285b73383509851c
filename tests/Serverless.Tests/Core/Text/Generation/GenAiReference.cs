using Microsoft.ML.OnnxRuntimeGenAI;

namespace Serverless.Tests.Core.Text.Generation;

/// <summary>GenAI's own greedy loop on a folder, without the service in between: the reference the model is held to.</summary>
public static class GenAiReference
{
    /// <returns>The generated token ids and each one's text from GenAI's streaming detokenizer.</returns>
    public static (int[] Tokens, string[] Texts) Greedy(string folder, IReadOnlyList<int> prompt, int maxTokens)
    {
        using var config = new Config(folder);
        config.ClearProviders();
        using var model = new Model(config);
        using var tokenizer = new Tokenizer(model);
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("max_length", prompt.Count + maxTokens);
        parameters.SetSearchOption("do_sample", false);
        using var generator = new Generator(model, parameters);
        using var stream = tokenizer.CreateStream();
        generator.AppendTokens(prompt.ToArray());
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
}
