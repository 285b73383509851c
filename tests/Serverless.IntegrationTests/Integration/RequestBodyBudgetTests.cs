using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Functions.Protocol.Http;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Metering;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>
/// What request bodies in flight may hold of Inference:MaxBufferedRequestBytes: one caller no more than its share, a
/// trickling body only until the minimum data rate cuts it off (returning its reservation at once), and a JSON body
/// the tensors it decodes to as well as its own bytes.
/// </summary>
public sealed class RequestBodyBudgetTests
{
    private const int OneMiB = 1024 * 1024;

    [Fact]
    public async Task Infer_OneCallersUploadsInFlight_AnotherCallerIsStillServed()
    {
        // 4 MiB in all, 1 MiB bodies: before the per-caller share, four held uploads of one key took all of it.
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings(("Metering:RequireKey", "true"),
            ("Inference:MaxRequestBytes", OneMiB.ToString()), ("Inference:MaxBufferedRequestBytes", (4 * OneMiB).ToString()),
            ("Inference:MinRequestBodyBytesPerSecond", "0")));
        var uploader = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "uploader");
        var other = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "other");
        var held = new List<RawHttpConnection>();
        var statuses = new List<int>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var connection = await RawHttpConnection.OpenAsync(host.Address);
                held.Add(connection);
                // "100 Continue" comes once the body's bytes are reserved and reading starts; a refusal comes instead of it.
                await connection.SendHeadAsync("/v2/models/linear-regressor/infer", OneMiB, "Expect: 100-continue", $"api-key: {uploader}");
                statuses.Add((await connection.ReadResponseAsync()).Status);
            }

            using var request = MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("other-1"), other);
            using var response = await host.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([100, 503, 503, 503], statuses);
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Infer_UploadPastTheCallersShare_Gets503WithRetryAfterNamingTheSetting()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Inference:MaxRequestBytes", OneMiB.ToString()), ("Inference:MaxBufferedRequestBytes", (8 * OneMiB).ToString()),
            ("Inference:MaxBufferedRequestBytesPerCaller", OneMiB.ToString()), ("Inference:MinRequestBodyBytesPerSecond", "0"));
        await using var first = await RawHttpConnection.OpenAsync(host.Address);
        await using var second = await RawHttpConnection.OpenAsync(host.Address);

        await first.SendHeadAsync("/v2/models/iris-mlp/infer", OneMiB, "Expect: 100-continue");
        var firstAnswer = await first.ReadResponseAsync();
        await second.SendHeadAsync("/v2/models/iris-mlp/infer", OneMiB, "Expect: 100-continue");
        var secondAnswer = await second.ReadResponseAsync();

        Assert.Equal(100, firstAnswer.Status);
        Assert.Equal(503, secondAnswer.Status);
        Assert.Equal("1", secondAnswer.Headers["Retry-After"]);
        Assert.Contains("Inference:MaxBufferedRequestBytesPerCaller", secondAnswer.Error);
    }

    [Fact]
    public async Task Infer_BodySlowerThanTheMinimumRate_IsCutOffWith408AndReturnsItsReservation()
    {
        var logs = new LogCollector();
        await using var host = await ServerlessHost.StartWithServicesAsync(services => services.AddSingleton<ILoggerProvider>(logs),
            ("Models:Repository", RepositoryPaths.SampleModels), ("Inference:MinRequestBodyGraceSeconds", "2"));
        var budget = host.GetRequiredService<RequestBodyBudget>();
        await using var connection = await RawHttpConnection.OpenAsync(host.Address);
        const int declared = 1024 * 1024;

        await connection.SendHeadAsync("/v2/models/iris-mlp/infer", declared);
        // About 5 KB/s: far above Kestrel's own default minimum (240 B/s), far below the default 16 KiB/s. The pace is
        // the behaviour under test (a trickling client), not a wait for the server.
        using var stop = new CancellationTokenSource();
        var trickle = TrickleAsync(connection, declared, stop.Token);
        var response = await connection.ReadResponseAsync();
        var reservedAfterwards = budget.Reserved;
        await stop.CancelAsync();
        await trickle;

        Assert.Equal(408, response.Status);
        Assert.Contains("Inference:MinRequestBodyBytesPerSecond", response.Error);
        Assert.Equal(0, reservedAfterwards);
        Assert.DoesNotContain(logs.Entries, entry => entry.Contains("Reading is already in progress"));
    }

    [Fact]
    public async Task Infer_RefusedBodyStillTricklingWhenTheDrainEnds_LogsNoReadingError()
    {
        var logs = new LogCollector();
        var host = await ServerlessHost.StartWithServicesAsync(services => services.AddSingleton<ILoggerProvider>(logs),
            ("Models:Repository", RepositoryPaths.SampleModels), ("Inference:MaxRequestBytes", "2048"), ("Inference:RefusedBodyDrainSeconds", "1"),
            ("Inference:MinRequestBodyBytesPerSecond", "0"));
        RawHttpResponse response;
        try
        {
            await using var connection = await RawHttpConnection.OpenAsync(host.Address);
            // Past Inference:MaxRequestBytes: refused, then drained for a second while the client keeps sending.
            await connection.SendHeadAsync("/v2/models/iris-mlp/infer", 1024 * 1024);
            using var stop = new CancellationTokenSource();
            var trickle = TrickleAsync(connection, 1024 * 1024, stop.Token);
            response = await connection.ReadResponseAsync();
            await stop.CancelAsync();
            await trickle;
        }
        finally
        {
            // Stopping waits for the connection's request to end: whatever Kestrel logs about its body is logged by then.
            await host.DisposeAsync();
        }

        Assert.Equal(413, response.Status);
        Assert.DoesNotContain(logs.Entries, entry => entry.Contains("Reading is already in progress"));
    }

    [Fact]
    public async Task Infer_JsonBodyWhoseDecodedTensorsDoNotFit_Gets503ThenFitsInALargerBudget()
    {
        // 64 rows (the model's max_batch_size) of 4 FP32: 256 one-digit elements are about 600 bytes of JSON and
        // 1 KiB of tensor, so the body alone fits in 1 KiB of buffered bytes but body and tensors together do not.
        var body = $$"""{"inputs":[{"name":"features","shape":[64,4],"datatype":"FP32","data":[{{string.Join(",", Enumerable.Repeat("1", 256))}}]}]}""";
        await using var tight = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Inference:MaxRequestBytes", "1024"), ("Inference:MaxBufferedRequestBytes", "1024"));
        await using var roomy = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Inference:MaxRequestBytes", "1024"), ("Inference:MaxBufferedRequestBytes", "4096"), ("Inference:MaxBufferedRequestBytesPerCaller", "4096"));

        var refused = await tight.Client.InferAsync("linear-regressor", body);
        var served = await roomy.Client.InferAsync("linear-regressor", body);

        await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "Inference:MaxBufferedRequestBytes");
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        await served.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, tight.GetRequiredService<RequestBodyBudget>().Reserved);
        Assert.Equal(0, roomy.GetRequiredService<RequestBodyBudget>().Reserved);
    }

    /// <summary>Sends <paramref name="total"/> bytes of spaces at about 5 KB/s until stopped or the server closes.</summary>
    private static async Task TrickleAsync(RawHttpConnection connection, long total, CancellationToken stop)
    {
        var piece = Encoding.ASCII.GetBytes(new string(' ', 512));
        try
        {
            for (long sent = 0; sent < total && !stop.IsCancellationRequested; sent += piece.Length)
            {
                await connection.SendAsync(piece);
                await Task.Delay(100, stop);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
