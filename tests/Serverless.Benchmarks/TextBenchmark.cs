using System.Globalization;
using System.Net;
using System.Text.Json;
using Serverless.SampleModels.Text;
using static Serverless.Benchmarks.RoundStatistics;

namespace Serverless.Benchmarks;

/// <summary>
/// The text models' rows (issues #22 and #23), from outside: the published app in its own process, the load from
/// another (the load generator for embeddings, this program's <c>stream-load</c> for generation), the raw baselines
/// in a third (<c>raw-embed</c>, <c>raw-generate</c>). Raw and HTTP alternate round by round, each round's ratio is
/// paired, and every row is the median of the rounds with their spread; the load average is printed before each
/// measurement.
/// </summary>
public sealed class TextBenchmark(BenchmarkReport report, string root, string appDll, string loadDll, TimeSpan duration, int rounds)
{
    public const string EmbeddingsPart = "embeddings";
    public const string GenerationPart = "generation";

    private const string EmbeddingModel = "all-minilm-l6-v2";
    private const string EmbeddingText = "The quick brown fox jumps over the lazy dog.";
    private const int EmbeddingClients = 32;
    private const string LargeDecoder = "bench-decoder";
    private const string Prompt = "hello world";

    private static readonly string Self = typeof(TextBenchmark).Assembly.Location;

    private string Seconds => duration.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    /// <param name="parts">Runs <see cref="EmbeddingsPart"/> and <see cref="GenerationPart"/> when named, or when null (every part).</param>
    public async Task RunAsync(IReadOnlySet<string>? parts)
    {
        if (parts is null || parts.Contains(EmbeddingsPart))
        {
            await EmbeddingsAsync();
        }
        if (parts is null || parts.Contains(GenerationPart))
        {
            await GenerationAsync();
        }
    }

    /// <summary>MiniLM, 32 clients of one short text each, against raw Run on batches of 32 of the same text.</summary>
    private async Task EmbeddingsAsync()
    {
        var folder = Path.Combine(root, "models", EmbeddingModel, "1");
        var body = Path.Combine(Path.GetTempPath(), "serverless-bench-embedding.json");
        File.WriteAllText(body, JsonSerializer.Serialize(new { model = EmbeddingModel, input = EmbeddingText }));
        await using var server = await StartAppAsync($"--Models:Repository={Path.Combine(root, "models")}");
        await HttpEmbeddingsAsync(server, body); // uncounted: JIT tiering, the model's load and first runs
        var raw = new List<JsonElement>();
        var http = new List<JsonElement>();
        var rawServed = new List<JsonElement>();
        var loads = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            loads.Add(MachineLoad.Print($"round {round + 1}: raw ORT MiniLM, batches of {EmbeddingClients}"));
            raw.Add(await OutsideProcess.RunToEndAsync(Self, "raw-embed", folder, EmbeddingText, EmbeddingClients.ToString(CultureInfo.InvariantCulture), Seconds));
            loads.Add(MachineLoad.Print($"round {round + 1}: HTTP /v1/embeddings, {EmbeddingClients} clients"));
            http.Add(await HttpEmbeddingsAsync(server, body));
            // The batches the server actually ran (closed-loop clients split into cohorts; see RESULTS.md), raw: what
            // that batch size alone costs, apart from the server's own work.
            var served = Math.Max(1, (int)Math.Round(RowsPerRun(http[^1])));
            loads.Add(MachineLoad.Print($"round {round + 1}: raw ORT MiniLM, batches of {served} (the server's)"));
            rawServed.Add(await OutsideProcess.RunToEndAsync(Self, "raw-embed", folder, EmbeddingText, served.ToString(CultureInfo.InvariantCulture), Seconds));
        }
        var rawRate = raw.Select(r => r.GetProperty("texts_per_second").GetDouble()).ToList();
        var rawCpu = raw.Select(r => r.GetProperty("cpu_us_per_text").GetDouble()).ToList();
        var httpRate = http.Select(h => h.GetProperty("per_second").GetDouble()).ToList();
        var httpCpu = http.Select(h => h.GetProperty("server_cpu_us_per_request").GetDouble()).ToList();
        var tokens = raw[0].GetProperty("tokens").GetInt32();
        var load = $"load avg {Spread(loads, "F1")}";
        report.Section($"text: embeddings (#22), {EmbeddingModel}, one text of {tokens} tokens, median of {rounds} rounds [spread], {load}");
        report.Add($"raw ORT, batches of {EmbeddingClients} (texts/s), own process", Median(rawRate), MedianOf(raw, "p50_ms"), MedianOf(raw, "p99_ms"), 1,
            $"of raw texts/s; rounds {Spread(rawRate, "F0")}");
        report.Add($"HTTP /v1/embeddings, {EmbeddingClients} clients (texts/s)", Median(httpRate), MedianOf(http, "p50_ms"), MedianOf(http, "p99_ms"),
            Median(httpRate) / Median(rawRate), $"of raw texts/s (goal >= 0.8); {PairedRounds(httpRate, rawRate)}");
        report.Add("  texts per encoder Run (server)", Median(http.Select(RowsPerRun)), double.NaN, double.NaN, double.NaN,
            $"of the batch size 32 (value column); rounds {Spread(http.Select(RowsPerRun), "F1")}");
        var rawServedRate = rawServed.Select(r => r.GetProperty("texts_per_second").GetDouble()).ToList();
        var rawServedCpu = rawServed.Select(r => r.GetProperty("cpu_us_per_text").GetDouble()).ToList();
        report.Add("raw ORT, batches of the server's texts per Run (texts/s)", Median(rawServedRate), MedianOf(rawServed, "p50_ms"), MedianOf(rawServed, "p99_ms"),
            Median(rawServedRate) / Median(rawRate), $"of raw batch-32 texts/s; {PairedRounds(rawServedRate, rawRate)}");
        report.Add("  HTTP against it", Median(httpRate), double.NaN, double.NaN, Median(httpRate) / Median(rawServedRate),
            $"of raw texts/s at the server's batch size; {PairedRounds(httpRate, rawServedRate)}");
        report.Add("  CPU us per text, raw", Median(rawCpu), double.NaN, double.NaN, 1, $"of raw CPU per text; rounds {Spread(rawCpu, "F0")}");
        report.Add("  CPU us per text, server process", Median(httpCpu), double.NaN, double.NaN, Median(httpCpu) / Median(rawCpu),
            $"of raw CPU per text; {PairedRounds(httpCpu, rawCpu)}");
        report.Add("  CPU us per text, raw at the server's batch size", Median(rawServedCpu), double.NaN, double.NaN, Median(httpCpu) / Median(rawServedCpu),
            $"server's CPU per text / this; {PairedRounds(httpCpu, rawServedCpu)}");
        report.Add("  CPU us per text, load generator", Median(http.Select(h => h.GetProperty("client_cpu_us_per_request").GetDouble())), double.NaN, double.NaN, double.NaN,
            "the client's share of the same cores (not a ratio)");
    }

    private Task<JsonElement> HttpEmbeddingsAsync(OutsideProcess server, string body) =>
        OutsideProcess.RunToEndAsync(loadDll, "load", "--url", server.Address.ToString(), "--path", "/v1/embeddings", "--body", body,
            "--clients", EmbeddingClients.ToString(CultureInfo.InvariantCulture), "--seconds", Seconds,
            "--server-pid", server.Pid.ToString(CultureInfo.InvariantCulture), "--stats-model", EmbeddingModel);

    /// <summary>The tiny sample and a generated 8-layer decoder: one stream against GenAI's loop, then 1, 8 and 32 streams.</summary>
    private async Task GenerationAsync()
    {
        var repository = Path.Combine(Path.GetTempPath(), "serverless-bench-text-" + Guid.NewGuid().ToString("N"));
        try
        {
            var tiny = Path.Combine(repository, TinyChatSample.Name, "1");
            Directory.CreateDirectory(tiny);
            foreach (var file in Directory.GetFiles(Path.Combine(root, "models", TinyChatSample.Name, "1")))
            {
                File.Copy(file, Path.Combine(tiny, Path.GetFileName(file)));
            }
            var large = Path.Combine(repository, LargeDecoder, "1");
            WriteLargeDecoder(large);
            // 32 streams at once: above the default (twice the cores), which would refuse most of them with 429.
            await using var server = await StartAppAsync($"--Models:Repository={repository}", "--Generation:MaxConcurrentPerModel=64");
            var d = DecoderDimensions.Large;
            await GenerationRowsAsync(server, TinyChatSample.Name, tiny, "tiny-chat (2 layers, hidden 32)", maxTokens: 64);
            await GenerationRowsAsync(server, LargeDecoder, large, $"generated decoder ({d.Layers} layers, hidden {d.HiddenSize}, ~25M weights)", maxTokens: 64);
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    private async Task GenerationRowsAsync(OutsideProcess server, string model, string folder, string title, int maxTokens)
    {
        var max = maxTokens.ToString(CultureInfo.InvariantCulture);
        var loads = new List<double>();
        var rows = new List<(int Streams, List<JsonElement> Raw, List<JsonElement> Http)>();
        foreach (var streams in new[] { 1, 8, 32 })
        {
            var n = streams.ToString(CultureInfo.InvariantCulture);
            var raw = new List<JsonElement>();
            var http = new List<JsonElement>();
            for (var round = 0; round < rounds; round++)
            {
                loads.Add(MachineLoad.Print($"{model} round {round + 1}: raw GenAI loop, {streams} stream(s)"));
                raw.Add(await OutsideProcess.RunToEndAsync(Self, "raw-generate", folder, Prompt, max, n, Seconds));
                loads.Add(MachineLoad.Print($"{model} round {round + 1}: HTTP /v1/completions, {streams} stream(s)"));
                http.Add(await OutsideProcess.RunToEndAsync(Self, "stream-load", server.Address.ToString(), model, Prompt, max, n, Seconds));
            }
            rows.Add((streams, raw, http));
        }

        var (_, raw1, http1) = rows[0];
        report.Section($"text: generation (#23), {title}, prompt of {raw1[0].GetProperty("PromptTokens").GetInt32()} tokens, " +
            $"{raw1[0].GetProperty("TokensPerStream").GetInt32()} tokens a completion (greedy, max {maxTokens}), completions back to back for {Seconds} s a round, " +
            $"median of {rounds} rounds [spread], load avg {Spread(loads, "F1")}");
        var rawStream = Values(raw1, "StreamTokensPerSecond");
        var httpStream = Values(http1, "StreamTokensPerSecond");
        report.Add("raw GenAI loop, 1 stream (tokens/s), own process", Median(rawStream), MedianOf(raw1, "FirstTextMsP50"), double.NaN, 1,
            $"of raw tokens/s; rounds {Spread(rawStream, "F0")}; p50 column: first text ms");
        report.Add("HTTP /v1/completions stream, 1 stream (tokens/s)", Median(httpStream), MedianOf(http1, "FirstTextMsP50"), double.NaN,
            Median(httpStream) / Median(rawStream), $"of raw tokens/s (goal >= 0.9); {PairedRounds(httpStream, rawStream)}");
        var rawFirst = Values(raw1, "FirstTextMsP50");
        var httpFirst = Values(http1, "FirstTextMsP50");
        var excess = httpFirst.Zip(rawFirst, (h, r) => h - r).ToList();
        report.Add("  time to first token, HTTP - raw (ms)", Median(excess), Median(httpFirst), double.NaN, Median(httpFirst) / Median(rawFirst),
            $"of raw first-token ms (goal: HTTP - raw <= 2 ms at p50; value column); paired rounds {Spread(excess, "F2")} ms");
        foreach (var (streams, raw, http) in rows)
        {
            var rawAggregate = Values(raw, "AggregateTokensPerSecond");
            var httpAggregate = Values(http, "AggregateTokensPerSecond");
            report.Add($"  aggregate tokens/s, {streams} streams: raw GenAI / HTTP", Median(httpAggregate), MedianOf(http, "FirstTextMsP50"), double.NaN,
                Median(httpAggregate) / Median(rawAggregate),
                $"of raw's {Median(rawAggregate):F0} tokens/s (value: HTTP); {PairedRounds(httpAggregate, rawAggregate)}; p50 column: HTTP first text ms");
        }
    }

    /// <summary>The larger decoder of the generation rows (<see cref="DecoderDimensions.Large"/>) as a GenAI version folder.</summary>
    public static void WriteLargeDecoder(string folder) => GenAiFolderWriter.Write(folder, DecoderDimensions.Large, seed: 29);

    /// <summary>The app published Release, started in its own process with a data folder of its own, once ready.</summary>
    private async Task<OutsideProcess> StartAppAsync(params string[] settings)
    {
        var data = Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N"));
        var server = OutsideProcess.StartServerOwning(appDll, data, [$"--Storage:DataDirectory={data}", .. settings]);
        await server.WaitListeningAsync(TimeSpan.FromMinutes(1));
        using var client = new HttpClient { BaseAddress = server.Address };
        for (var tries = 0; ; tries++)
        {
            try
            {
                using var ready = await client.GetAsync("/v2/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (tries == 600)
            {
                throw new TimeoutException("the app never answered /v2/health/ready with 200");
            }
            // Polling a benchmark's child until it is ready, not synchronising a test.
            await Task.Delay(100);
        }
    }

    private static double RowsPerRun(JsonElement load) => load.GetProperty("rows").GetInt64() / (double)Math.Max(1, load.GetProperty("runs").GetInt64());

    private static List<double> Values(IEnumerable<JsonElement> results, string name) => results.Select(r => r.GetProperty(name).GetDouble()).ToList();

    private static double MedianOf(IEnumerable<JsonElement> results, string name) => Median(Values(results, name));
}
