using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.FunctionsHost.Tests.StandIn;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;
using Serverless.SampleModels.Text;
using Serverless.Tests.Text;
using Xunit.Abstractions;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// The worker under the stand-in host, proxied as the real host proxies (headers first, then the body as the worker
/// writes it), serving a decoder slow enough a token (milliseconds) that a buffered answer would show: each chunk's
/// arrival is timed, and the first must come long before the last, i.e. tokens reach the client as they are generated.
/// </summary>
public sealed class GenerationStreamingTests(GenerationStreamingTests.SlowDecoderWorker worker, ITestOutputHelper output)
    : IClassFixture<GenerationStreamingTests.SlowDecoderWorker>
{
    private const string Model = "slow-chat";
    private const int MaxTokens = 1000;

    public static TheoryData<string, string> StreamingRoutes => new()
    {
        { $"/v2/models/{Model}/generate_stream", JsonSerializer.Serialize(new { text_input = "Once upon a time", parameters = new { max_tokens = MaxTokens, temperature = 0 } }) },
        { "/v1/chat/completions", JsonSerializer.Serialize(new { model = Model, messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = MaxTokens, temperature = 0, stream = true }) },
    };

    [Theory]
    [MemberData(nameof(StreamingRoutes))]
    public async Task Stream_ThroughTheWorker_ChunksArriveOneByOneAsGenerated(string path, string body)
    {
        var sent = Stopwatch.GetTimestamp();
        var call = await worker.Host.SendStreamingAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        using var response = call.Response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        var arrivals = new List<long>();
        var texts = new List<string>();
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    arrivals.Add(Stopwatch.GetTimestamp());
                    texts.Add(line["data: ".Length..]);
                }
            }
        }

        Assert.Equal(StatusResult.Types.Status.Success, (await call.Invocation.WaitAsync(TimeSpan.FromSeconds(60))).Result.Status);
        var (first, last) = (Stopwatch.GetElapsedTime(sent, arrivals[0]), Stopwatch.GetElapsedTime(sent, arrivals[^1]));
        output.WriteLine($"{path}: {arrivals.Count} events, first after {first.TotalMilliseconds:F0} ms, last after {last.TotalMilliseconds:F0} ms");
        // Every token of the endless decoder is a chunk (or the last event carries the end), plus [DONE] for OpenAI.
        Assert.True(arrivals.Count >= MaxTokens, $"{arrivals.Count} events");
        Assert.DoesNotContain(texts, t => t.Contains("\"error\"", StringComparison.Ordinal));
        // Buffered, every event would arrive within moments of the last; streamed, the first arrives after one token's
        // prefill and the rest spread over the whole generation.
        Assert.True(first < last / 2, $"the first event arrived after {first.TotalMilliseconds:F0} ms, the last after {last.TotalMilliseconds:F0} ms");
        var arrivedInFirstHalf = arrivals.Count(a => Stopwatch.GetElapsedTime(sent, a) < last / 2);
        Assert.InRange(arrivedInFirstHalf, MaxTokens / 10, arrivals.Count - MaxTokens / 10);
    }

    /// <summary>The worker under the stand-in host over a repository holding only a decoder that never ends by itself, about a millisecond a token, loaded.</summary>
    public sealed class SlowDecoderWorker : IAsyncLifetime
    {
        private readonly TempDirectory _repository = new();
        private readonly TempDirectory _data = new();

        public StandInHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            EndlessDecoderFolder.Write(Path.Combine(_repository.Path, Model, "1"), new DecoderDimensions(Layers: 4, Heads: 8, HeadSize: 32, ContextLength: 2048), seed: 5);
            Host = await StandInHost.StartAndLoadAsync(AppSettings.Sample(_data.Path, ("Models__Repository", _repository.Path)));
            // Loaded before the tests time anything: a cold first call spends seconds opening the model.
            var warm = await Host.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{Model}/generate")
            {
                Content = new StringContent("""{"text_input": "warm", "parameters": {"max_tokens": 1}}""", Encoding.UTF8, "application/json"),
            });
            Assert.True(warm.Response.StatusCode == HttpStatusCode.OK, Encoding.UTF8.GetString(warm.Body));
        }

        public async Task DisposeAsync()
        {
            if (Host is not null)
            {
                await Host.DisposeAsync();
            }
            _repository.Dispose();
            _data.Dispose();
        }
    }
}
