using System.Net;
using Serverless.Core.Metering;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>Rate limit and monthly quota (429 + Retry-After, recorded as rejected) and per-model load shedding (503).</summary>
public sealed class CallLimitsTests
{
    [Fact]
    public async Task Infer_OverRateLimit_Returns429WithRetryAfterAndRecordsRejected()
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings());
        // One token every 1000 s and a burst of 2: the third call cannot get a token whatever the timing.
        var key = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "bursty", new { requests_per_second = 0.001, burst = 2 });

        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "r1", key));
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "r2", key));
        using var third = await host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("r3"), key));

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After was {third.Headers.RetryAfter}");
        Assert.Contains("rate limit", await third.Content.ReadAsStringAsync());
        var (_, usage) = await MeteredApi.GetJsonAsync(host.Client, "/usage", key);
        Assert.Equal(2, usage.GetProperty("calls").GetInt64());
        Assert.Equal(1, usage.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task Infer_OverMonthlyCallQuota_Returns429WithRetryAfter()
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings());
        var key = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "capped", new { monthly_quota = 2 });

        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "q1", key));
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "q2", key));
        using var third = await host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("q3"), key));

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("monthly quota of 2", await third.Content.ReadAsStringAsync());
        var (_, usage) = await MeteredApi.GetJsonAsync(host.Client, "/usage", key);
        Assert.Equal(2, usage.GetProperty("calls").GetInt64());
        Assert.Equal(1, usage.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task Infer_OverMonthlyRowQuota_Returns429()
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings());
        var key = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "row-capped", new { monthly_quota = 5, quota_unit = "rows" });

        using var first = await host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("rows-1", rows: 2), key));
        using var second = await host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("rows-2", rows: 2), key));
        using var third = await host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("rows-3", rows: 2), key));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
    }

    [Fact]
    public async Task Infer_QuotaSeededFromLedger_CountsCallsBeforeRestart()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "serverless-quota-" + Guid.NewGuid().ToString("N"));
        try
        {
            string key;
            await using (var first = await ServerlessHost.StartAsync(MeteredApi.Settings(("Storage:DataDirectory", dataDirectory))))
            {
                key = await MeteredApi.CreateCallerWithKeyAsync(first.Client, "seeded", new { monthly_quota = 2 });
                Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(first.Client, "linear-regressor", "s1", key));
                Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(first.Client, "linear-regressor", "s2", key));
            }
            await using var second = await ServerlessHost.StartAsync(MeteredApi.Settings(("Storage:DataDirectory", dataDirectory)));

            Assert.Equal(HttpStatusCode.TooManyRequests, await MeteredApi.InferAsync(second.Client, "linear-regressor", "s3", key));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Infer_SaturatedModel_Returns503WithRetryAfterWhileOtherModelAnswers()
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings(("Metering:ModelConcurrency", "1"), ("Metering:ModelQueueLength", "0")));
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "warm", key: null));
        // The model's only slot, held as a running call holds it. (A call takes its slot only once its body is in, so a
        // held-back body no longer holds one: nothing a client sends can keep the slot while the test probes.)
        var slot = await host.GetRequiredService<ModelConcurrencyLimiter>().AcquireAsync("linear-regressor");

        using var shed = await host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("shed"), key: null));
        var other = await MeteredApi.InferAsync(host.Client, "binary-classifier", "other-model", key: null);
        slot.Dispose();
        var after = await MeteredApi.InferAsync(host.Client, "linear-regressor", "after", key: null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, shed.StatusCode);
        Assert.True(shed.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("saturated", await shed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, other);
        Assert.Equal(HttpStatusCode.OK, after);
        var (_, usage) = await MeteredApi.GetJsonAsync(host.Client, "/usage?model=linear-regressor", MeteredApi.AdminKey);
        Assert.Equal(1, usage.GetProperty("rejected").GetInt64());
    }
}
