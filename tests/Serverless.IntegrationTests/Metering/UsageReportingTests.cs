using System.Net;
using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Core.Text;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>Pricing from config.json, usage totals and groups (tokens of text calls included), the CSV export and the Prometheus endpoint.</summary>
public sealed class UsageReportingTests : IAsyncLifetime
{
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "serverless-priced-" + Guid.NewGuid().ToString("N"));
    private ServerlessHost _host = null!;

    public async Task InitializeAsync()
    {
        // linear-regressor with prices; binary-classifier without, so it takes the server default.
        foreach (var model in new[] { "linear-regressor", "binary-classifier" })
        {
            var target = Path.Combine(_repository, model, "1");
            Directory.CreateDirectory(target);
            File.Copy(Path.Combine(RepositoryPaths.SampleModels, model, "1", "model.onnx"), Path.Combine(target, "model.onnx"));
        }
        await File.WriteAllTextAsync(Path.Combine(_repository, "linear-regressor", "config.json"),
            """{"max_batch_size": 64, "pricing": {"per_call": 0.01, "per_1000_rows": 1.5, "per_1000_input_tokens": 0.1, "per_1000_output_tokens": 0.2}}""");
        _host = await ServerlessHost.StartAsync(
            ("Models:Repository", _repository), ("Metering:AdminKey", MeteredApi.AdminKey), ("Metering:DefaultPricing:PerCall", "0.002"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_repository, recursive: true);
    }

    [Fact]
    public async Task Usage_PricedModel_CostFollowsConfigPricing()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "priced");
        using var first = await _host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("p1", rows: 4), key));
        using var second = await _host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("p2", rows: 2), key));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        var (_, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage", key);

        // 2 calls x 0.01 + 6 rows x 1.5 / 1000
        Assert.Equal(2, usage.GetProperty("calls").GetInt64());
        Assert.Equal(6, usage.GetProperty("rows").GetInt64());
        Assert.Equal(0.029m, usage.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Usage_UnpricedModel_CostIsServerDefault()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "default-priced");
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "binary-classifier", "d1", key));

        var (_, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage", key);

        Assert.Equal(0.002m, usage.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Usage_GroupByModelAndDay_SplitsTotalsAndCountsFailuresApart()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "grouped");
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "g1", key));
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "binary-classifier", "g2", key));
        using var bad = await _host.Client.SendAsync(MeteredApi.Infer("linear-regressor", """{"inputs":[{"name":"nope","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", key));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var (_, byModel) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?group_by=model", key);
        var (_, byDay) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?group_by=day", key);

        Assert.Equal(2, byModel.GetProperty("calls").GetInt64());
        Assert.Equal(1, byModel.GetProperty("failed").GetInt64());
        var models = byModel.GetProperty("groups").EnumerateArray().Select(g => (g.GetProperty("model").GetString(), g.GetProperty("calls").GetInt64())).ToList();
        Assert.Equal([("binary-classifier", 1L), ("linear-regressor", 1L)], models);
        var day = Assert.Single(byDay.GetProperty("groups").EnumerateArray());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), day.GetProperty("day").GetString());
    }

    [Fact]
    public async Task Usage_InvalidGroupBy_Returns400()
    {
        var (status, body) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?group_by=week", MeteredApi.AdminKey);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("week", body.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/usage?to=9999-12-31", "to '9999-12-31'")]
    [InlineData("/usage/export?to=9999-12-31", "to '9999-12-31'")]
    public async Task Usage_ToBeyondTheLastDay_Returns400NamingIt(string path, string expected)
    {
        var (status, body) = await MeteredApi.GetJsonAsync(_host.Client, path, MeteredApi.AdminKey);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Usage_RangeBeforeTheCalls_IsEmpty()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "ranged");
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "x1", key));

        var (_, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?from=2000-01-01&to=2000-01-31", key);

        Assert.Equal(0, usage.GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task Export_AdminKey_ReturnsCsvRowPerCall()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "exported");
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "csv-1", key));

        var csv = await MeteredApi.GetTextAsync(_host.Client, $"/usage/export?from={DateTime.UtcNow:yyyy-MM-dd}&to={DateTime.UtcNow:yyyy-MM-dd}", MeteredApi.AdminKey);

        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,request_id,time,caller,key_id,model,version,outcome,status,rows,input_bytes,compute_seconds,execution_provider,cost,input_tokens,output_tokens", lines[0]);
        var row = Assert.Single(lines, l => l.Contains(",csv-1,")).Split(',');
        Assert.Equal(("exported", "linear-regressor", "1", "success", "200", "0.0115"), (row[3], row[5], row[6], row[7], row[8], row[13]));
    }

    [Fact]
    public async Task Usage_TextCallsBilledThroughMeteredText_ReportTheirTokensInJsonAndCsv()
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "texter");
        var caller = new CallerIdentity("texter", null, CallerPlan.Unlimited);
        var metered = _host.GetRequiredService<MeteredText>();
        using (var embed = await metered.AdmitAsync(caller, "linear-regressor", "embed-1", CancellationToken.None))
        {
            await embed.ReserveAsync(inputs: 2, tokens: 1200);
            await embed.BillAsync(new ModelKey("linear-regressor", 1), new TokenUsage(1200, 0), TimeSpan.Zero, "CPUExecutionProvider", inputs: 2);
        }
        using (var chat = await metered.AdmitStreamAsync(caller, "linear-regressor", "chat-1", CancellationToken.None))
        {
            await chat.ReserveAsync(inputs: 1, tokens: 40 + 500);
            await chat.BillAsync(new ModelKey("linear-regressor", 1), new TokenUsage(40, 300), TimeSpan.Zero, "CPUExecutionProvider", inputs: 1);
        }

        var (_, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?group_by=model", key);
        var csv = await MeteredApi.GetTextAsync(_host.Client, $"/usage/export?from={DateTime.UtcNow:yyyy-MM-dd}&to={DateTime.UtcNow:yyyy-MM-dd}", key);

        Assert.Equal((2L, 3L, 1240L, 300L), (usage.GetProperty("calls").GetInt64(), usage.GetProperty("rows").GetInt64(),
            usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64()));
        var group = Assert.Single(usage.GetProperty("groups").EnumerateArray());
        Assert.Equal((1240L, 300L), (group.GetProperty("input_tokens").GetInt64(), group.GetProperty("output_tokens").GetInt64()));
        // 2 calls x 0.01 + 3 rows x 1.5 / 1000 + 1,240 prompt tokens x 0.1 / 1000 + 300 completion tokens x 0.2 / 1000
        Assert.Equal(0.02m + 0.0045m + 0.124m + 0.06m, usage.GetProperty("cost").GetDecimal());
        var chatRow = Assert.Single(csv.Split("\r\n"), l => l.Contains(",chat-1,")).Split(',');
        Assert.Equal(("40", "300"), (chatRow[14], chatRow[15]));
    }

    [Fact]
    public async Task Metrics_AfterCalls_ExposesRequestAndLedgerInstruments()
    {
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(_host.Client, "linear-regressor", "m1", key: null));

        var text = await MeteredApi.GetTextAsync(_host.Client, "/metrics", key: null);

        Assert.Contains("serverless_requests_total", text);
        Assert.Contains("serverless_request_duration_seconds_bucket", text);
        Assert.Contains("serverless_usage_flush_duration_seconds", text);
        Assert.Contains("serverless_model_loads_total", text);
    }

    [Theory]
    [InlineData("no-such-model", "no-such-model")]
    [InlineData("linear-regressor/versions/99", "linear-regressor")]
    public async Task Infer_UnknownModelOrVersion_IsInTheCallersUsageAndTheMetricsAs404(string path, string recordedModel)
    {
        var key = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "lost-" + recordedModel);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{path}/infer")
        {
            Content = new StringContent(MeteredApi.LinearRegressorBody("n1"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);

        using var response = await _host.Client.SendAsync(request);
        var (_, usage) = await MeteredApi.GetJsonAsync(_host.Client, "/usage?group_by=model", key);
        var metrics = await MeteredApi.GetTextAsync(_host.Client, "/metrics", key: null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, usage.GetProperty("calls").GetInt64());
        Assert.Equal(1, usage.GetProperty("failed").GetInt64());
        Assert.Equal(0m, usage.GetProperty("cost").GetDecimal());
        Assert.Equal(recordedModel, Assert.Single(usage.GetProperty("groups").EnumerateArray()).GetProperty("model").GetString());
        Assert.Matches("serverless_requests_total\\{[^}]*status=\"404\"", metrics);
    }
}
