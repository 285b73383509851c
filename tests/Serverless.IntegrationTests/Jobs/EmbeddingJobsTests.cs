using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Serverless.Core.Jobs;
using Serverless.Core.Metering;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>
/// Embeddings jobs on the sample's real MiniLM in embedded mode: each row's vector is the one <c>/v1/embeddings</c>
/// returns for its text, and a job interrupted between shards and resumed by another instance is exact and bills each
/// shard's tokens once.
/// </summary>
public sealed class EmbeddingJobsTests
{
    private const string Model = SampleEmbeddingModel.Name;

    // Padding to another batch's longest text changes the shapes ONNX Runtime multiplies, so sums may round
    // differently in the last bits.
    private const float Tolerance = 1e-5f;

    private static readonly string[] Subjects = ["The cat", "A small boat", "Our new server", "The old library", "My neighbour's dog", "This embedding model"];
    private static readonly string[] Verbs = ["sleeps", "drifts slowly", "answers every request", "opens at nine", "barks at the postman", "turns sentences into vectors"];
    private static readonly string[] Endings = ["", " on the warm windowsill", " across the quiet harbour at dawn", " while the city is still asleep and the streets are empty", ", again and again, without ever getting tired of it"];

    /// <summary>Row <paramref name="i"/>'s text: sentences of different lengths, so the model's batches pad.</summary>
    private static string Text(int i) => $"{Subjects[i % Subjects.Length]} {Verbs[i / Subjects.Length % Verbs.Length]}{Endings[i % Endings.Length]} (row {i}).";

    /// <summary>What <c>/v1/embeddings</c> answers for <paramref name="texts"/>: their vectors and the tokens billed.</summary>
    private static async Task<(float[][] Vectors, long Tokens)> EmbedOverHttpAsync(HttpClient client, IReadOnlyList<string> texts)
    {
        var response = await client.PostAsJsonAsync("/v1/embeddings", new { model = Model, input = texts });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var vectors = body.RootElement.GetProperty("data").EnumerateArray()
            .OrderBy(d => d.GetProperty("index").GetInt32())
            .Select(d => d.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray())
            .ToArray();
        return (vectors, body.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(difference <= Tolerance, $"{what}: largest difference {difference}");
    }

    /// <summary>The usage records of a job's shards.</summary>
    private static async Task<List<UsageRecord>> JobUsageAsync(ServerlessHost host, string jobId)
    {
        var records = new List<UsageRecord>();
        await foreach (var record in host.GetRequiredService<IUsageStore>().ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), Model: Model)))
        {
            if (record.RequestId.StartsWith($"{jobId}/", StringComparison.Ordinal))
            {
                records.Add(record);
            }
        }
        return records;
    }

    [Fact]
    public async Task EmbeddingsJob_JsonlOverSeveralShards_EachRowsVectorEqualsV1EmbeddingsAndTokensAreBilledPerShard()
    {
        const int rows = 120;
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Jobs:ShardBytes", "4096"));
        var root = Path.Combine(host.DataDirectory, "jobs");
        Directory.CreateDirectory(root);
        var texts = Enumerable.Range(0, rows).Select(Text).ToList();
        await File.WriteAllLinesAsync(Path.Combine(root, "texts.jsonl"), texts.Select((t, i) => JsonSerializer.Serialize(new { id = $"t{i}", body = t })));

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = "embed-jsonl", model = Model, input = "texts.jsonl", output = "out/embed-jsonl", inputs = new { text = "body" }, batch_size = 16 });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(host.Client, "embed-jsonl");

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("shards").GetProperty("total").GetInt32() > 1);
        var (expected, tokens) = await EmbedOverHttpAsync(host.Client, texts);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "out", "embed-jsonl", JobCompletion.ManifestName)));
        var seen = new List<long>();
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            var first = part.GetProperty("first_row").GetInt64();
            foreach (var row in JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(root, "out", "embed-jsonl", part.GetProperty("name").GetString()!))))
            {
                var index = (int)(first + row.GetProperty("row").GetInt64());
                seen.Add(index);
                Assert.Equal($"t{index}", row.GetProperty("id").GetString());
                AssertClose(expected[index], row.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray(), $"row {index}");
            }
        }
        Assert.Equal(Enumerable.Range(0, rows).Select(i => (long)i), seen);
        var billed = await JobUsageAsync(host, "embed-jsonl");
        Assert.Equal(status.GetProperty("shards").GetProperty("total").GetInt32(), billed.Count);
        Assert.Equal(tokens, billed.Sum(r => r.InputTokens));
        Assert.Equal(rows, billed.Sum(r => r.Rows));
    }

    [Fact]
    public async Task EmbeddingsJob_CsvTextColumn_EachRowsEmbeddingColumnsEqualV1Embeddings()
    {
        const int rows = 30;
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var root = Path.Combine(host.DataDirectory, "jobs");
        Directory.CreateDirectory(root);
        // Commas inside the text: the field is quoted, and the model gets the text without its quotes.
        var texts = Enumerable.Range(0, rows).Select(i => i % 3 == 0 ? Text(i).Replace(" ", ", ", StringComparison.Ordinal) : Text(i)).ToList();
        await File.WriteAllTextAsync(Path.Combine(root, "texts.csv"), "id,text\n" + string.Concat(texts.Select((t, i) => $"t{i},\"{t}\"\n")));

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = "embed-csv", model = Model, input = "texts.csv", output = "out/embed-csv", format = "csv" });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(host.Client, "embed-csv");

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var (expected, _) = await EmbedOverHttpAsync(host.Client, texts);
        var scored = JobOutputRows.Csv(await File.ReadAllTextAsync(Path.Combine(root, "out", "embed-csv", "part-00000.csv")));
        Assert.Equal(rows, scored.Count);
        for (var r = 0; r < rows; r++)
        {
            Assert.Equal((r.ToString(System.Globalization.CultureInfo.InvariantCulture), $"t{r}"), (scored[r]["row"], scored[r]["id"]));
            var vector = Enumerable.Range(0, SampleEmbeddingModel.Dimensions).Select(e => float.Parse(scored[r][$"embedding_{e}"], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            AssertClose(expected[r], vector, $"row {r}");
        }
    }

    [Fact]
    public async Task EmbeddingsJob_ParquetInterruptedAfterAShardsPartAndResumedByAnotherInstance_ExactAndTokensBilledOnce()
    {
        const int groups = 4, rowsPerGroup = 40;
        var data = Path.Combine(Path.GetTempPath(), "serverless-embed-resume-" + Guid.NewGuid().ToString("N"));
        // Numbers that do not compress: each row group's column chunk is over half of Jobs:ShardBytes, one shard each.
        var texts = Enumerable.Range(0, groups * rowsPerGroup)
            .Select(i => Text(i) + " " + string.Join(' ', Enumerable.Range(0, 8).Select(k => ((i * 7919L + k * 104729L) % 1000003L).ToString("x", System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        try
        {
            Directory.CreateDirectory(Path.Combine(data, "jobs"));
            await File.WriteAllBytesAsync(Path.Combine(data, "jobs", "texts.parquet"), await ParquetOfAsync(texts, rowsPerGroup));
            // The first instance scores and counts every shard but one, whose part it writes before it is lost.
            await using (var first = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Storage:DataDirectory", data),
                ("Jobs:ShardBytes", "4096"), ("Jobs:VisibilityTimeoutSeconds", "3600")))
            {
                var lost = new TaskCompletionSource();
                first.GetRequiredService<JobMessageHandler>().AfterShardCommitted = shard =>
                {
                    if (shard.Shard != 1)
                    {
                        return Task.CompletedTask;
                    }
                    lost.TrySetResult();
                    throw new IOException("instance lost after writing its part");
                };
                var submitted = await first.Client.PostAsJsonAsync("/jobs", new { id = "embed-parquet", model = Model, input = "texts.parquet", output = "out/embed-parquet", format = "parquet" });
                Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
                await lost.Task.WaitAsync(TimeSpan.FromSeconds(120));
                await Serverless.Testing.Eventually.TrueAsync(async () =>
                    (await JobPolling.GetStatusAsync(first.Client, "embed-parquet")).GetProperty("shards").GetProperty("done").GetInt32() == groups - 1
                    && (await JobUsageAsync(first, "embed-parquet")).Count == groups - 1, "the other shards counted and billed");
                Assert.Equal("running", (await JobPolling.GetStatusAsync(first.Client, "embed-parquet")).GetProperty("state").GetString());
            }

            await using var second = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Storage:DataDirectory", data), ("Jobs:ShardBytes", "4096"));
            var status = await JobPolling.WaitForFinishAsync(second.Client, "embed-parquet");

            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            Assert.Equal(groups, status.GetProperty("shards").GetProperty("total").GetInt32());
            Assert.Equal(texts.Count, status.GetProperty("rows").GetProperty("scored").GetInt64());
            var (expected, tokens) = await EmbedOverHttpAsync(second.Client, texts);
            var seen = await ReadParquetPartsAsync(Path.Combine(data, "jobs", "out", "embed-parquet"), expected);
            Assert.Equal(Enumerable.Range(0, texts.Count).Select(i => (long)i), seen.Order());
            var billed = await JobUsageAsync(second, "embed-parquet");
            Assert.Equal(Enumerable.Range(0, groups).Select(s => $"embed-parquet/shard-{s:D5}"), billed.Select(r => r.RequestId).Order());
            Assert.Equal(tokens, billed.Sum(r => r.InputTokens));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Texts in a <c>text</c> column beside a string <c>id</c>, <paramref name="rowsPerGroup"/> to a row group.</summary>
    private static async Task<byte[]> ParquetOfAsync(IReadOnlyList<string> texts, int rowsPerGroup)
    {
        var id = new DataField<string>("id");
        var text = new DataField<string>("text");
        var schema = new ParquetSchema(id, text);
        using var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
        {
            foreach (var chunk in Enumerable.Range(0, texts.Count).Chunk(rowsPerGroup))
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(id, chunk.Select(i => $"t{i}").ToArray());
                await group.WriteAsync(text, chunk.Select(i => texts[i]).ToArray());
            }
        }
        return stream.ToArray();
    }

    /// <summary>Checks every part's rows against <paramref name="expected"/>; returns the input rows seen.</summary>
    private static async Task<List<long>> ReadParquetPartsAsync(string output, float[][] expected)
    {
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, JobCompletion.ManifestName)));
        var seen = new List<long>();
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            var firstRow = part.GetProperty("first_row").GetInt64();
            await using var file = File.OpenRead(Path.Combine(output, part.GetProperty("name").GetString()!));
            await using var reader = await ParquetReader.CreateAsync(file);
            var fields = reader.Schema.GetDataFields();
            Assert.Equal(["row", "id", .. Enumerable.Range(0, SampleEmbeddingModel.Dimensions).Select(e => $"embedding_{e}")], fields.Select(f => f.Name));
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var n = (int)group.RowCount;
                var rows = new long[n];
                var ids = new string?[n];
                await group.ReadAsync<long>(fields[0], rows.AsMemory());
                await group.ReadAsync(fields[1], ids.AsMemory());
                var vectors = Enumerable.Range(0, n).Select(_ => new float[SampleEmbeddingModel.Dimensions]).ToArray();
                var column = new float[n];
                for (var e = 0; e < SampleEmbeddingModel.Dimensions; e++)
                {
                    await group.ReadAsync<float>(fields[2 + e], column.AsMemory());
                    for (var r = 0; r < n; r++)
                    {
                        vectors[r][e] = column[r];
                    }
                }
                for (var r = 0; r < n; r++)
                {
                    var index = firstRow + rows[r];
                    seen.Add(index);
                    Assert.Equal($"t{index}", ids[r]);
                    AssertClose(expected[index], vectors[r], $"row {index}");
                }
            }
        }
        return seen;
    }
}
