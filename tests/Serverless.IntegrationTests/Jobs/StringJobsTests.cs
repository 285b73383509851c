using System.Net;
using System.Net.Http.Json;
using Parquet;
using Parquet.Schema;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>Batch jobs over models with BYTES (string) inputs and outputs, on the embedded queue and local files.</summary>
public sealed class StringJobsTests : IAsyncLifetime
{
    private readonly TestModelRepository _models = new();
    private ServerlessHost _host = null!;

    private string Root => Path.Combine(_host.DataDirectory, "jobs");

    public async Task InitializeAsync()
    {
        _host = await ServerlessHost.StartAsync(("Models:Repository", _models.Root));
        Directory.CreateDirectory(Path.Combine(Root, "in"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _models.Dispose();
    }

    [Fact]
    public async Task JsonlJob_StringRows_ScoredAndWrittenAsStrings()
    {
        // Rows of different lengths in one batch, an escaped quote, and a row whose value is not a string.
        await File.WriteAllTextAsync(Path.Combine(Root, "in", "text.jsonl"),
            "{\"id\":\"a\",\"text\":\"short\"}\n{\"id\":\"b\",\"text\":\"a much longer line of text\"}\n{\"id\":\"c\",\"text\":\"say \\\"hi\\\"\"}\n{\"id\":\"d\",\"text\":5}\n");

        var status = await RunAsync(new { id = "text-jsonl", model = TestModelRepository.Echo, input = "in/text.jsonl", output = "out/text", batch_size = 8, max_error_rate = 0.5 });

        Assert.Equal("partially_succeeded", status.GetProperty("state").GetString());
        var rows = JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(Root, "out", "text", "part-00000.jsonl")));
        Assert.Equal(["short", "a much longer line of text", "say \"hi\""], rows.Select(r => r.GetProperty("same").GetString()));
        Assert.Equal(["a", "b", "c"], rows.Select(r => r.GetProperty("id").GetString()));
        var error = Assert.Single(JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(Root, "out", "text", "_errors.jsonl"))));
        Assert.Equal(3, error.GetProperty("row").GetInt64());
        Assert.Contains("is not a string (the input is BYTES)", error.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task CsvJob_TextColumns_FeedABytesInputAndStringOutputsAreQuoted()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "in", "numbers.csv"), "id,low,high\nr0,1.5,\"2\"\nr1,-3,4e2\n");

        var status = await RunAsync(new { id = "text-csv", model = TestModelRepository.NumbersAsText, input = "in/numbers.csv", output = "out/numbers", format = "csv" });

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var rows = JobOutputRows.Csv(await File.ReadAllTextAsync(Path.Combine(Root, "out", "numbers", "part-00000.csv")));
        Assert.Equal(["r0", "r1"], rows.Select(r => r["id"]));
        Assert.Equal(["1.5", "-3"], rows.Select(r => r["value_0"]));
        Assert.Equal(["2", "400"], rows.Select(r => r["back_1"]));
    }

    [Fact]
    public async Task CsvJob_TextTheModelCannotCast_FailsThatRowAndScoresTheOthers()
    {
        // Was: the model's failure on one row's data was a server error, the shard retried 5 times and poisoned.
        await File.WriteAllTextAsync(Path.Combine(Root, "in", "bad-number.csv"), "id,low,high\nr0,1.5,2\nr1,abc,4\nr2,-3,4e2\n");

        var status = await RunAsync(new { id = "text-csv-bad", model = TestModelRepository.NumbersAsText, input = "in/bad-number.csv", output = "out/bad-number", format = "csv", max_error_rate = 0.5 });

        Assert.Equal("partially_succeeded", status.GetProperty("state").GetString());
        var rows = JobOutputRows.Csv(await File.ReadAllTextAsync(Path.Combine(Root, "out", "bad-number", "part-00000.csv")));
        Assert.Equal(["r0", "r2"], rows.Select(r => r["id"]));
        var error = Assert.Single(JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(Root, "out", "bad-number", "_errors.jsonl"))));
        Assert.Equal(1, error.GetProperty("row").GetInt64());
        Assert.Contains("could not run on this input", error.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ParquetJob_BytesModel_RefusedSayingWhy()
    {
        var text = new DataField<string>("text");
        using (var file = File.Create(Path.Combine(Root, "in", "text.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(text), file))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(text, new[] { "a", "b" });
        }

        var status = await RunAsync(new { id = "text-parquet", model = TestModelRepository.Echo, input = "in/text.parquet", output = "out/parquet", format = "parquet" });

        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Contains("is BYTES (strings), which Parquet jobs do not", status.GetRawText());
    }

    private async Task<System.Text.Json.JsonElement> RunAsync(object job)
    {
        var submitted = await _host.Client.PostAsJsonAsync("/jobs", job);
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var id = System.Text.Json.JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        return await JobPolling.WaitForFinishAsync(_host.Client, id);
    }
}
