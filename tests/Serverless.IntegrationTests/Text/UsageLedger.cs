using System.Globalization;
using Serverless.Tests.Metering;

namespace Serverless.Tests.Text;

/// <summary>One row of the ledger's CSV export (/usage/export), as billing reads it.</summary>
internal sealed record LedgerRecord(string RequestId, string Model, int Status, string Outcome, long InputTokens, long OutputTokens, decimal Cost);

/// <summary>The usage ledger read from outside, through the admin's export: the record a call with a known request id left.</summary>
internal static class UsageLedger
{
    public static async Task<IReadOnlyList<LedgerRecord>> ReadAsync(HttpClient client)
    {
        var csv = await MeteredApi.GetTextAsync(client, "/usage/export", MeteredApi.AdminKey);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"no column {name} in {lines[0]}");
        var (requestId, model, status, outcome, input, output, cost) =
            (Column("request_id"), Column("model"), Column("status"), Column("outcome"), Column("input_tokens"), Column("output_tokens"), Column("cost"));
        // Request ids and model names in these tests hold no commas or quotes, so a plain split reads every row.
        return [.. lines.Skip(1).Select(line => line.Split(',')).Select(f => new LedgerRecord(
            f[requestId], f[model], int.Parse(f[status], CultureInfo.InvariantCulture), f[outcome],
            long.Parse(f[input], CultureInfo.InvariantCulture), long.Parse(f[output], CultureInfo.InvariantCulture),
            decimal.Parse(f[cost], CultureInfo.InvariantCulture)))];
    }

    /// <summary>The one record of a request id, once it is there (a disconnected call is billed after the client left).</summary>
    public static async Task<LedgerRecord> RecordOfAsync(HttpClient client, string requestId)
    {
        return await Serverless.Testing.Eventually.ValueAsync(
            async () => (await ReadAsync(client)).SingleOrDefault(r => r.RequestId == requestId), $"a usage record for request {requestId}", interval: TimeSpan.FromMilliseconds(200));
    }
}
