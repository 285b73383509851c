using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Serverless.Benchmarks;

/// <summary>
/// The generation baseline as a process of its own (<c>raw-generate</c>): ONNX Runtime GenAI's own greedy loop
/// (Generator, AppendTokens, GenerateNextToken, the streaming detokenizer) on the folder, CPU provider as the server
/// opens it, the same prompt and max tokens. Several streams are that many Generators on one Model, each on its own
/// thread, started together.
/// </summary>
public static class RawGeneration
{
    private static readonly int WarmupGenerations = int.Parse(Environment.GetEnvironmentVariable("RAW_GENERATE_WARMUPS") ?? "1", CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>raw-generate FOLDER PROMPT MAX_TOKENS STREAMS SECONDS</c>: each stream generates one after another until
    /// SECONDS have passed; one JSON line (<see cref="StreamRound"/>'s fields).
    /// </summary>
    public static int Run(string[] args)
    {
        var (folder, prompt, maxTokens, streams) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
        var window = TimeSpan.FromSeconds(double.Parse(args[4], CultureInfo.InvariantCulture));
        // As the server starts GenAI: the managed ONNX Runtime first, so GenAI finds that one.
        OrtEnv.Instance();
        using var handle = new OgaHandle();
        using var config = new Config(folder);
        config.ClearProviders();
        // By hand: a genai_config.json overlay (session options, say) to try on the baseline before the server.
        if (Environment.GetEnvironmentVariable("RAW_GENERATE_OVERLAY") is { Length: > 0 } overlay)
        {
            config.Overlay(overlay);
        }
        using var model = new Model(config);
        using var tokenizer = new Tokenizer(model);
        int[] ids;
        using (var sequences = tokenizer.Encode(prompt))
        {
            ids = sequences[0].ToArray();
        }
        var eos = EosTokenIds(folder);
        // One uncounted generation: GenAI's and ONNX Runtime's first-run costs land there, as the server's warm-up round does.
        for (var i = 0; i < WarmupGenerations; i++)
        {
            var warm = Generate(model, tokenizer, ids, maxTokens, eos, Stopwatch.GetTimestamp());
            Console.Error.WriteLine($"  [raw-generate] warm-up {i + 1}: {warm.Tokens / (warm.TotalMs / 1000):F0} tokens/s");
        }
        using var start = new Barrier(streams + 1);
        var results = new List<StreamResult>[streams];
        var started = 0L;
        var threads = Enumerable.Range(0, streams).Select(i => new Thread(() =>
        {
            var mine = new List<StreamResult>();
            start.SignalAndWait();
            do
            {
                mine.Add(Generate(model, tokenizer, ids, maxTokens, eos, Stopwatch.GetTimestamp()));
            }
            while (Stopwatch.GetElapsedTime(Volatile.Read(ref started)) < window);
            results[i] = mine;
        })).ToList();
        threads.ForEach(t => t.Start());
        Volatile.Write(ref started, Stopwatch.GetTimestamp());
        start.SignalAndWait();
        threads.ForEach(t => t.Join());
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(StreamRound.Of(results.SelectMany(r => r).ToList(), wall, ids.Length)));
        return 0;
    }

    private static StreamResult Generate(Model model, Tokenizer tokenizer, int[] prompt, int maxTokens, IReadOnlySet<int> eos, long started)
    {
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("max_length", prompt.Length + maxTokens);
        parameters.SetSearchOption("do_sample", false);
        using var generator = new Generator(model, parameters);
        using var stream = tokenizer.CreateStream();
        generator.AppendTokens(prompt);
        var first = double.NaN;
        var tokens = 0;
        while (tokens < maxTokens)
        {
            generator.GenerateNextToken();
            var token = generator.GetNextTokens()[0];
            tokens++;
            if (eos.Contains(token))
            {
                break;
            }
            // The server streams a token once it decodes to text: the first text is what a client sees first.
            if (stream.Decode(token).Length > 0 && double.IsNaN(first))
            {
                first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        return new StreamResult(first, Stopwatch.GetElapsedTime(started).TotalMilliseconds, tokens);
    }

    private static HashSet<int> EosTokenIds(string folder)
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "genai_config.json")));
        var eos = config.RootElement.GetProperty("model").GetProperty("eos_token_id");
        return eos.ValueKind == JsonValueKind.Array ? eos.EnumerateArray().Select(e => e.GetInt32()).ToHashSet() : [eos.GetInt32()];
    }
}

/// <summary>One stream's time to first text and to its end, ms from its start, and its completion tokens.</summary>
public sealed record StreamResult(double FirstTextMs, double TotalMs, int Tokens);

/// <summary>
/// One round of N streams started together, each generating one completion after another for a fixed window, as the
/// raw loop and the HTTP client both print it: aggregate tokens/s (all completions' tokens over the round's wall
/// time), the median completion's tokens/s and time to first text, and how many completions there were.
/// </summary>
public sealed record StreamRound(double AggregateTokensPerSecond, double StreamTokensPerSecond, double FirstTextMsP50, int TokensPerStream, int PromptTokens, int Completions)
{
    public static StreamRound Of(IReadOnlyList<StreamResult> streams, double wallSeconds, int promptTokens) => new(
        streams.Sum(s => s.Tokens) / wallSeconds,
        RoundStatistics.Median(streams.Select(s => s.Tokens / (s.TotalMs / 1000))),
        RoundStatistics.Median(streams.Select(s => s.FirstTextMs)),
        (int)RoundStatistics.Median(streams.Select(s => (double)s.Tokens)),
        promptTokens,
        streams.Count);
}
