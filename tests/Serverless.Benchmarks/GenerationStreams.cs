using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Serverless.Benchmarks;

/// <summary>
/// The generation load as a process of its own (<c>stream-load</c>): N streamed <c>/v1/completions</c> started
/// together (greedy, <c>stream_options.include_usage</c>), each client sending its next as soon as one ends until the
/// window has passed; each completion is timed from its request to its first non-empty text chunk and to
/// <c>[DONE]</c>, its tokens the usage chunk's completion_tokens. A first completion per client is not counted (JIT
/// tiering, connections).
/// </summary>
public static class GenerationStreams
{
    /// <summary><c>stream-load URL MODEL PROMPT MAX_TOKENS STREAMS SECONDS</c>: one JSON line (<see cref="StreamRound"/>'s fields).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (url, model, prompt, maxTokens, streams) = (new Uri(args[0]), args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
        var window = TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture));
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["model"] = model,
            ["prompt"] = prompt,
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["stream_options"] = new Dictionary<string, bool> { ["include_usage"] = true },
        });
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = streams, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromMinutes(5) };
        await RoundAsync(client, body, streams, TimeSpan.Zero);
        var started = Stopwatch.GetTimestamp();
        var results = await RoundAsync(client, body, streams, window);
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(StreamRound.Of(results.SelectMany(r => r).ToList(), wall, promptTokens: -1)));
        return 0;
    }

    /// <summary>Each client streams one completion after another until <paramref name="window"/> has passed (at least one).</summary>
    private static Task<List<StreamResult>[]> RoundAsync(HttpClient client, byte[] body, int streams, TimeSpan window)
    {
        var started = Stopwatch.GetTimestamp();
        return Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
        {
            var mine = new List<StreamResult>();
            do
            {
                mine.Add(await StreamAsync(client, body));
            }
            while (Stopwatch.GetElapsedTime(started) < window);
            return mine;
        })));
    }

    private static async Task<StreamResult> StreamAsync(HttpClient client, byte[] body)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"/v1/completions answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        var first = double.NaN;
        var tokens = -1;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }
            var data = line.AsMemory(6);
            if (data.Span.SequenceEqual("[DONE]"))
            {
                break;
            }
            using var chunk = JsonDocument.Parse(data);
            var root = chunk.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"stream failed: {error}");
            }
            if (double.IsNaN(first) && root.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                && choices[0].GetProperty("text").GetString() is { Length: > 0 })
            {
                first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                tokens = usage.GetProperty("completion_tokens").GetInt32();
            }
        }
        return new StreamResult(first, Stopwatch.GetElapsedTime(started).TotalMilliseconds, tokens);
    }
}
