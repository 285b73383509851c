using System.Net;
using System.Net.Http.Headers;
using Serverless.Core.Metering;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>Keys required (as under the Functions host): who gets in, who is refused, and who sees whose usage.</summary>
public sealed class CallerAuthenticationTests : IAsyncLifetime
{
    private const string ApimSecret = "apim-shared-secret";
    private ServerlessHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ServerlessHost.StartAsync(MeteredApi.Settings(("Metering:RequireKey", "true"), ("Metering:ApimSecret", ApimSecret)));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Infer_NoKey_Returns401WithJsonErrorAndCountsItInTelemetryOnly()
    {
        using var response = await _host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("no-key"), key: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("API key is required", await response.Content.ReadAsStringAsync());
        var (_, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?caller=unauthenticated", MeteredApi.AdminKey);
        Assert.Equal(0, usage.GetProperty("calls").GetInt64());
        Assert.Equal(0, usage.GetProperty("rejected").GetInt64());
        var metrics = await MeteredApi.GetTextAsync(_host.Client, "/metrics", MeteredApi.AdminKey);
        Assert.Matches("serverless_requests_rejected_total\\{[^}]*reason=\"unauthorized\"", metrics);
    }

    [Fact]
    public async Task Infer_ManyUnauthenticatedCallsWithLongModelNames_StoreNoUsageRecords()
    {
        var longName = new string('m', 4000);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await MeteredApi.InferAsync(_host.Client, $"{longName}{i}", "x", key: null));
        }

        var stored = 0;
        await foreach (var record in _host.GetRequiredService<IUsageStore>().ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), CallerId.Unauthenticated)))
        {
            stored++;
        }
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task Infer_RequestIdLongerThanTheCap_StoredCapped()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "long-request-id");
        var id = new string('r', 10_000);

        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", id, key));

        var records = new List<UsageRecord>();
        await foreach (var record in _host.GetRequiredService<IUsageStore>().ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), "long-request-id")))
        {
            records.Add(record);
        }
        var stored = Assert.Single(records);
        Assert.Equal(new string('r', UsageRecord.MaxTextLength), stored.RequestId);
    }

    [Fact]
    public async Task Infer_WrongKey_Returns401()
    {
        await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "wrong-key-caller");

        var status = await MeteredApi.InferAsync(_host.Client, "linear-regressor", "wrong", "sk_" + new string('A', 43));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Infer_ValidKeyInEitherHeader_Returns200()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "both-headers");

        using var bearer = await _host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("bearer"), key));
        using var apiKey = await _host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("api-key"), key, apiKeyHeader: true));

        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, apiKey.StatusCode);
    }

    [Fact]
    public async Task Infer_RevokedKey_Returns401()
    {
        await MeteredApi.CreateCallerAsync(_host.Client, "revoked");
        var (keyId, key) = await MeteredApi.IssueKeyAsync(_host.Client, "revoked");
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "before-revoke", key));

        using var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/admin/keys/{keyId}");
        revoke.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MeteredApi.AdminKey);
        using var revoked = await _host.Client.SendAsync(revoke);

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "after-revoke", key));
    }

    [Fact]
    public async Task Infer_ApimCallerHeaderWithoutSecret_IsIgnored()
    {
        using var request = MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("apim-no-secret"), key: null);
        request.Headers.Add("X-Serverless-Caller", "acme");

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Infer_ApimCallerHeaderWithWrongSecret_IsIgnored()
    {
        using var request = MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("apim-wrong-secret"), key: null);
        request.Headers.Add("X-Serverless-Caller", "acme");
        request.Headers.Add("X-Serverless-Apim-Secret", "not-the-secret");

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Infer_ApimCallerHeaderWithSecret_IsAttributedToThatCaller()
    {
        using var request = MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("apim-ok"), key: null);
        request.Headers.Add("X-Serverless-Caller", "apim-customer");
        request.Headers.Add("X-Serverless-Apim-Secret", ApimSecret);

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?caller=apim-customer", MeteredApi.AdminKey);
        Assert.Equal(1, usage.GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task Usage_AnotherCallersUsage_Returns403()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "nosy");
        await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "private");

        var (status, body) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?caller=private", key);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("may not read", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Usage_CallerKeyWithoutFilter_SeesOnlyOwnCalls()
    {
        var mine = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "own-usage");
        var theirs = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "other-usage");
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "mine-1", mine));
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "theirs-1", theirs));
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "theirs-2", theirs));

        var (status, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage", mine);
        var export = await MeteredApi.GetTextAsync(_host.Client, "/usage/export", mine);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("own-usage", usage.GetProperty("caller").GetString());
        Assert.Equal(1, usage.GetProperty("calls").GetInt64());
        Assert.Contains("mine-1", export);
        Assert.DoesNotContain("theirs-", export);
    }

    [Fact]
    public async Task AdminEndpoints_CallerKey_Returns403()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "not-admin");

        var (status, _) = await MeteredApi.GetJsonAsync(_host.Client, "/admin/callers", key);

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task AdminEndpoints_NoKey_Returns401()
    {
        var (status, body) = await MeteredApi.GetJsonAsync(_host.Client, "/admin/callers", key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(body.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task AdminCallers_ExistingId_Returns409()
    {
        await MeteredApi.CreateCallerAsync(_host.Client, "twice");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/callers") { Content = System.Net.Http.Json.JsonContent.Create(new { id = "twice" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MeteredApi.AdminKey);

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task AdminCallers_ListsCallersWithKeyIdsButNoSecrets()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "listed");

        var text = await MeteredApi.GetTextAsync(_host.Client, "/admin/callers", MeteredApi.AdminKey);

        Assert.Contains("\"listed\"", text);
        Assert.Contains("key_", text);
        Assert.DoesNotContain(key, text);
    }

    [Theory]
    [InlineData("/v2/health/live")]
    public async Task HealthEndpoints_NoKey_Return200(string path)
    {
        using var response = await _host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_CallerKeyWhileKeysRequired_Returns403()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "metrics-reader");

        var (status, _) = await MeteredApi.GetJsonAsync(_host.Client, "/metrics", key);

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Theory]
    [InlineData("/v2/repository/models/linear-regressor/load")]
    [InlineData("/v2/repository/models/linear-regressor/unload")]
    public async Task RepositoryLoadAndUnload_CallerKeyWhileKeysRequired_Return403AndTheAdminKeyMay(string path)
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "loader-" + path.Split('/')[^1]);
        using var byCaller = new HttpRequestMessage(HttpMethod.Post, path);
        byCaller.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var byAdmin = new HttpRequestMessage(HttpMethod.Post, path);
        byAdmin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MeteredApi.AdminKey);

        var refused = await _host.Client.SendAsync(byCaller);
        var allowed = await _host.Client.SendAsync(byAdmin);

        await refused.AssertErrorAsync(HttpStatusCode.Forbidden, "needs the admin key");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }
}
