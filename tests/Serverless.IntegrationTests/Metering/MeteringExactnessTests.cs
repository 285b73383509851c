using System.Net;
using System.Text.Json;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>Three callers calling in parallel: the ledger holds exactly the calls made, per caller and model, in both stores.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MeteringExactnessTests(AzuriteFixture azurite)
{
    private const int LinearRegressorCalls = 700;
    private const int BinaryClassifierCalls = 300;
    private static readonly string[] Callers = ["acme", "globex", "initech"];

    [Fact]
    public Task Infer_ThreeCallersInParallel_SqliteLedgerTotalsEqualCallsMade() =>
        AssertExactAsync(("Metering:Store", "sqlite"));

    [Fact]
    public Task Infer_ThreeCallersInParallel_TableLedgerTotalsEqualCallsMade() =>
        AssertExactAsync(("Metering:Store", "table"), ("AzureWebJobsStorage", azurite.ConnectionString), ("Metering:TablePrefix", "exact" + Guid.NewGuid().ToString("N")[..8]));

    private static async Task AssertExactAsync(params (string Key, string Value)[] store)
    {
        await using var host = await ServerlessHost.StartAsync(MeteredApi.Settings([("Metering:RequireKey", "true"), .. store]));
        var keys = new Dictionary<string, string>();
        foreach (var caller in Callers)
        {
            keys[caller] = await MeteredApi.CreateCallerWithKeyAsync(host.Client, caller);
        }
        var calls = Callers.SelectMany(caller =>
                Enumerable.Range(0, LinearRegressorCalls).Select(i => (Caller: caller, Model: "linear-regressor", Id: $"{caller}-lr-{i}"))
                    .Concat(Enumerable.Range(0, BinaryClassifierCalls).Select(i => (Caller: caller, Model: "binary-classifier", Id: $"{caller}-bc-{i}"))))
            .OrderBy(_ => Random.Shared.Next())
            .ToList();

        var statuses = new HttpStatusCode[calls.Count];
        await Parallel.ForAsync(0, calls.Count, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
            statuses[i] = await MeteredApi.InferAsync(host.Client, calls[i].Model, calls[i].Id, keys[calls[i].Caller]));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        foreach (var caller in Callers)
        {
            var (status, usage) = await MeteredApi.GetJsonAsync(host.Client, $"/usage?caller={caller}&group_by=model", MeteredApi.AdminKey);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(LinearRegressorCalls + BinaryClassifierCalls, usage.GetProperty("calls").GetInt64());
            Assert.Equal(LinearRegressorCalls + BinaryClassifierCalls, usage.GetProperty("rows").GetInt64());
            Assert.Equal(0, usage.GetProperty("failed").GetInt64());
            Assert.Equal(0, usage.GetProperty("rejected").GetInt64());
            var byModel = usage.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("model").GetString()!, g => g.GetProperty("calls").GetInt64());
            Assert.Equal(new Dictionary<string, long> { ["binary-classifier"] = BinaryClassifierCalls, ["linear-regressor"] = LinearRegressorCalls }, byModel);
        }
        var export = await MeteredApi.GetTextAsync(host.Client, "/usage/export", MeteredApi.AdminKey);
        var exportedIds = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[1]).ToList();
        Assert.Equal(calls.Select(c => c.Id).Order(), exportedIds.Order());
    }
}
