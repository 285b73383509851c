using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Tests.Jobs;

/// <summary>
/// Embeddings jobs end to end over the job pipeline (planner, handler, scorer, completion, SQLite store, local files)
/// with a scripted embedding model: one vector per row, bad texts as row errors, tokens billed once per shard even
/// when a shard is killed mid-way and delivered again.
/// </summary>
public sealed class EmbeddingJobTests : IDisposable
{
    private readonly FakeEmbeddingModels _model = new();
    private readonly JobTestPipeline _jobs;

    public EmbeddingJobTests() => _jobs = new JobTestPipeline(new JobsOptions { ShardBytes = 4096 }, _model);

    public void Dispose() => _jobs.Dispose();

    /// <summary>Row <paramref name="i"/>'s text: one to four words of one to five letters.</summary>
    private static string Text(int i) => string.Join(' ', Enumerable.Range(0, i % 4 + 1).Select(k => new string((char)('a' + k), (i + k) % 5 + 1)));

    private static string Jsonl(int rows) =>
        string.Concat(Enumerable.Range(0, rows).Select(i => JsonSerializer.Serialize(new { id = $"r{i}", text = Text(i) }) + "\n"));

    private static JobRequest Request(string id, string input, JobFormat format = JobFormat.Jsonl, Dictionary<string, string[]>? inputs = null, int? batchSize = null) => new()
    {
        Id = id,
        Model = FakeEmbeddingModels.Name,
        Input = input,
        Output = $"out/{id}",
        Format = format,
        Inputs = inputs ?? [],
        BatchSize = batchSize,
        Caller = "alice",
        MaxErrorRate = 1,
    };

    /// <summary>Delivers the job message, then every shard message planning sent, each once.</summary>
    private async Task<JobRecord> RunAsync(JobRequest request)
    {
        await _jobs.Handler.HandleAsync(request.ToJson(), "job-message", dequeueCount: 1);
        foreach (var shard in TakeShardMessages())
        {
            await _jobs.Handler.HandleAsync(shard.Body, shard.Id, shard.DequeueCount);
        }
        return (await _jobs.Store.GetAsync(request.Id!))!;
    }

    private List<ChannelJobMessage> TakeShardMessages()
    {
        var messages = new List<ChannelJobMessage>();
        while (_jobs.Queue.Reader.TryRead(out var message))
        {
            messages.Add(message);
        }
        return messages;
    }

    /// <summary>An input in the namespace of alice, the caller of <see cref="Request"/>'s jobs.</summary>
    private void WriteInput(string name, byte[] content) => _jobs.WriteInput($"callers/alice/{name}", content);

    private string OutputPath(string id, string name) => Path.Combine(_jobs.Files.Root, "callers", "alice", "out", id, name);

    /// <summary>Every output row of a JSONL job, numbered as input rows (the manifest's first_row + row).</summary>
    private List<(long Row, JsonElement Value)> JsonlRows(string id)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(OutputPath(id, JobCompletion.ManifestName)));
        var rows = new List<(long, JsonElement)>();
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            var first = part.GetProperty("first_row").GetInt64();
            foreach (var line in File.ReadAllLines(OutputPath(id, part.GetProperty("name").GetString()!)).Where(l => l.Length > 0))
            {
                var row = JsonDocument.Parse(line).RootElement;
                rows.Add((first + row.GetProperty("row").GetInt64(), row));
            }
        }
        return rows;
    }

    private List<JsonElement> Errors(string id) =>
        File.ReadAllLines(OutputPath(id, JobCompletion.ErrorsName)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    [Fact]
    public async Task EmbeddingsJob_Jsonl_WritesEachRowsVectorUnderEmbeddingAndBillsItsTokens()
    {
        WriteInput("in.jsonl", Encoding.UTF8.GetBytes(Jsonl(40)));

        var job = await RunAsync(Request("jsonl", "in.jsonl", batchSize: 8));

        Assert.True(job.State == JobState.Succeeded, job.Error);
        Assert.Equal((JobState.Succeeded, 40L, 0L), (job.State, job.RowsScored, job.RowsFailed));
        var rows = JsonlRows("jsonl");
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), rows.Select(r => r.Row));
        foreach (var (row, value) in rows)
        {
            Assert.Equal($"r{row}", value.GetProperty("id").GetString());
            Assert.Equal(FakeEmbeddingModels.Vector(FakeEmbeddingModels.Tokens(Text((int)row))), Floats(value.GetProperty("embedding")));
        }
        var billed = Assert.Single(_jobs.Usage.Recorded);
        var tokens = Enumerable.Range(0, 40).Sum(i => (long)FakeEmbeddingModels.Tokens(Text(i)).Length);
        Assert.Equal((40L, tokens, "alice", "e"), (billed.RowsScored, billed.InputTokens, billed.Caller, billed.Model));
        // The job's batch size is what the model is handed at once.
        Assert.Equal([8, 8, 8, 8, 8], _model.Calls);
    }

    [Fact]
    public async Task EmbeddingsJob_BatchLargerThanMaxInputsPerCall_HandsTheModelAtMostThatManyTextsAtOnce()
    {
        var model = new FakeEmbeddingModels();
        using var jobs = new JobTestPipeline(new JobsOptions(), model, new EmbeddingsOptions { MaxInputsPerCall = 3 });
        jobs.WriteInput("callers/alice/in.jsonl", Encoding.UTF8.GetBytes(Jsonl(10)));
        await jobs.Handler.HandleAsync(Request("limited", "in.jsonl", batchSize: 8).ToJson(), "job-message", dequeueCount: 1);

        while (jobs.Queue.Reader.TryRead(out var shard))
        {
            await jobs.Handler.HandleAsync(shard.Body, shard.Id, shard.DequeueCount);
        }

        Assert.Equal((JobState.Succeeded, 10L), ((await jobs.Store.GetAsync("limited"))!.State, (await jobs.Store.GetAsync("limited"))!.RowsScored));
        Assert.Equal([3, 3, 2, 2], model.Calls);
    }

    [Fact]
    public async Task EmbeddingsJob_BadTexts_RecordedAsRowErrorsWithTheReasonAndTheOtherRowsEmbeddedInOrder()
    {
        var lines = new[]
        {
            """{"id": "ok-0", "text": "one two"}""",
            """{"id": "empty", "text": ""}""",
            """{"id": "too-long", "text": "a b c d e"}""",
            """{"id": "ok-3", "text": "three"}""",
            """{"id": "number", "text": 42}""",
            """{"id": "missing", "body": "no text field"}""",
            """{"id": "ok-6", "text": "six of them"}""",
        };
        WriteInput("bad.jsonl", Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

        var job = await RunAsync(Request("bad", "bad.jsonl"));

        Assert.Equal((JobState.PartiallySucceeded, 3L, 4L), (job.State, job.RowsScored, job.RowsFailed));
        var rows = JsonlRows("bad");
        Assert.Equal([(0L, "ok-0"), (3L, "ok-3"), (6L, "ok-6")], rows.Select(r => (r.Row, r.Value.GetProperty("id").GetString()!)));
        Assert.Equal(FakeEmbeddingModels.Vector(FakeEmbeddingModels.Tokens("three")), Floats(rows[1].Value.GetProperty("embedding")));
        var errors = Errors("bad");
        Assert.Equal([1L, 2L, 4L, 5L], errors.Select(e => e.GetProperty("row").GetInt64()));
        Assert.Equal("text 'text' is empty: there is no text to embed", errors[0].GetProperty("reason").GetString());
        Assert.Equal("text 'text': input is 7 tokens long; model 'e' takes at most 6", errors[1].GetProperty("reason").GetString());
        Assert.Contains("is not a string", errors[2].GetProperty("reason").GetString());
        Assert.Contains("field 'text' (input 'text') is missing", errors[3].GetProperty("reason").GetString());
        // Only the rows embedded are billed.
        Assert.Equal(4L + 3L + 5L, Assert.Single(_jobs.Usage.Recorded).InputTokens);
    }

    [Fact]
    public async Task EmbeddingsJob_ShardKilledMidWayAndDeliveredAgain_EveryRowOnceAndEachShardBilledOnce()
    {
        WriteInput("big.jsonl", Encoding.UTF8.GetBytes(Jsonl(400)));
        await _jobs.Handler.HandleAsync(Request("killed", "big.jsonl", batchSize: 4).ToJson(), "job-message", dequeueCount: 1);
        var shards = TakeShardMessages();
        Assert.True(shards.Count >= 3, $"{shards.Count} shards");
        // Shard 1's first attempt dies in the middle, at its third batch: two are scored, nothing is committed.
        var (kill, calls, killed) = (false, 0, false);
        _model.BeforeEmbed = (_, _) =>
        {
            if (kill && ++calls == 3)
            {
                (kill, killed) = (false, true);
                throw new IOException("instance lost mid-shard");
            }
            return Task.CompletedTask;
        };

        await _jobs.Handler.HandleAsync(shards[0].Body, shards[0].Id, 1);
        // A duplicate of a counted shard: nothing scored, nothing billed.
        await _jobs.Handler.HandleAsync(shards[0].Body, shards[0].Id, 1);
        kill = true;
        await Assert.ThrowsAsync<IOException>(() => _jobs.Handler.HandleAsync(shards[1].Body, shards[1].Id, 1));
        Assert.Equal('.', (await _jobs.Store.GetAsync("killed"))!.Shards[1]);
        // The queue delivers it again, then every other shard.
        await _jobs.Handler.HandleAsync(shards[1].Body, shards[1].Id, 2);
        foreach (var shard in shards.Skip(2))
        {
            await _jobs.Handler.HandleAsync(shard.Body, shard.Id, 1);
        }

        var job = (await _jobs.Store.GetAsync("killed"))!;
        Assert.True(killed);
        Assert.Equal((JobState.Succeeded, 400L), (job.State, job.RowsScored));
        var rows = JsonlRows("killed");
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), rows.Select(r => r.Row));
        Assert.All(rows, r => Assert.Equal($"r{r.Row}", r.Value.GetProperty("id").GetString()));
        var billed = _jobs.Usage.Recorded;
        Assert.Equal(Enumerable.Range(0, shards.Count), billed.Select(b => b.Shard).Order());
        Assert.Equal(Enumerable.Range(0, 400).Sum(i => (long)FakeEmbeddingModels.Tokens(Text(i)).Length), billed.Sum(b => b.InputTokens));
        // Each shard's tokens are its own rows' tokens.
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(OutputPath("killed", JobCompletion.ManifestName)));
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            var first = (int)part.GetProperty("first_row").GetInt64();
            var count = (int)part.GetProperty("rows").GetInt64();
            var expected = Enumerable.Range(first, count).Sum(i => (long)FakeEmbeddingModels.Tokens(Text(i)).Length);
            Assert.Equal(expected, billed.Single(b => b.Shard == part.GetProperty("shard").GetInt32()).InputTokens);
        }
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(OutputPath("killed", "x"))!, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task EmbeddingsJob_CsvWithItsTextColumnMapped_WritesOneColumnPerVectorValue()
    {
        var csv = "id,review,stars\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"r{i},\"{Text(i)}\",{i}\n")) + "r5,\"a, \"\"quoted\"\" one\",5\n";
        WriteInput("in.csv", Encoding.UTF8.GetBytes(csv));

        var job = await RunAsync(Request("csv", "in.csv", JobFormat.Csv, new() { ["text"] = ["review"] }));

        Assert.Equal((JobState.Succeeded, 6L), (job.State, job.RowsScored));
        var lines = File.ReadAllLines(OutputPath("csv", "part-00000.csv"));
        Assert.Equal("row,id,embedding_0,embedding_1,embedding_2", lines[0]);
        var texts = Enumerable.Range(0, 5).Select(Text).Append("a, \"quoted\" one").ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            var vector = FakeEmbeddingModels.Vector(FakeEmbeddingModels.Tokens(texts[i]));
            Assert.Equal($"{i},r{i}," + string.Join(",", vector.Select(v => v.ToString(CultureInfo.InvariantCulture))), lines[i + 1]);
        }
    }

    [Fact]
    public async Task EmbeddingsJob_CsvTextNotUtf8_RecordedAsARowError()
    {
        var csv = new List<byte>("id,text\nr0,fine\nr1,"u8.ToArray()) { 0xC3, 0x28 };
        csv.AddRange("\nr2,also fine\n"u8.ToArray());
        WriteInput("latin.csv", [.. csv]);

        var job = await RunAsync(Request("latin", "latin.csv", JobFormat.Csv));

        Assert.Equal((2L, 1L), (job.RowsScored, job.RowsFailed));
        var error = Assert.Single(Errors("latin"));
        Assert.Equal((1L, "text 'text' is not valid UTF-8 text"), (error.GetProperty("row").GetInt64(), error.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task EmbeddingsJob_ParquetStringColumn_WritesEmbeddingColumnsAndANullTextIsARowError()
    {
        var texts = Enumerable.Range(0, 30).Select(i => i == 7 ? null : Text(i)).ToArray();
        var schema = new ParquetSchema(new DataField<long>("id"), new DataField<string>("review", true));
        var fields = schema.GetDataFields();
        using (var stream = new MemoryStream())
        {
            await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
            {
                foreach (var chunk in Enumerable.Range(0, 30).Chunk(10))
                {
                    using var group = writer.CreateRowGroup();
                    await group.WriteAsync<long>(fields[0], chunk.Select(i => (long)i).ToArray());
                    await group.WriteAsync(fields[1], chunk.Select(i => texts[i]).ToArray());
                }
            }
            WriteInput("in.parquet", stream.ToArray());
        }

        var job = await RunAsync(Request("parquet", "in.parquet", JobFormat.Parquet, new() { ["text"] = ["review"] }));

        Assert.Equal((JobState.PartiallySucceeded, 29L, 1L), (job.State, job.RowsScored, job.RowsFailed));
        var error = Assert.Single(Errors("parquet"));
        Assert.Equal((7L, "column 'review' is null"), (error.GetProperty("row").GetInt64(), error.GetProperty("reason").GetString()));
        await using var part = File.OpenRead(OutputPath("parquet", "part-00000.parquet"));
        await using var reader = await ParquetReader.CreateAsync(part);
        var written = reader.Schema.GetDataFields();
        Assert.Equal(["row", "id", "embedding_0", "embedding_1", "embedding_2"], written.Select(f => f.Name));
        var seen = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = (int)group.RowCount;
            var rows = new long[n];
            var ids = new string?[n];
            await group.ReadAsync<long>(written[0], rows.AsMemory());
            await group.ReadAsync(written[1], ids.AsMemory());
            var columns = new float[3][];
            for (var c = 0; c < 3; c++)
            {
                columns[c] = new float[n];
                await group.ReadAsync<float>(written[2 + c], columns[c].AsMemory());
            }
            for (var r = 0; r < n; r++, seen++)
            {
                Assert.Equal(rows[r].ToString(CultureInfo.InvariantCulture), ids[r]);
                Assert.Equal(FakeEmbeddingModels.Vector(FakeEmbeddingModels.Tokens(texts[rows[r]]!)), columns.Select(c => c[r]));
            }
        }
        Assert.Equal(29, seen);
    }

    [Fact]
    public async Task EmbeddingsJob_ParquetTextColumnOfNumbers_FailsTheJobNamingTheColumnAndItsType()
    {
        var schema = new ParquetSchema(new DataField<long>("text"));
        using (var stream = new MemoryStream())
        {
            await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<long>(schema.GetDataFields()[0], new long[] { 1, 2 });
            }
            WriteInput("numbers.parquet", stream.ToArray());
        }

        var job = await RunAsync(Request("numbers", "numbers.parquet", JobFormat.Parquet));

        Assert.Equal((JobState.Failed, "column 'text' is Int64; an embeddings job reads its text from a string column"), (job.State, job.Error));
        Assert.Empty(_jobs.Usage.Recorded);
    }

    [Theory]
    [InlineData("jsonl", """{"input_ids": "body"}""", "'inputs' maps 'input_ids', but model 'e' is an embedding model")]
    [InlineData("csv", null, "the input has no column 'text' (columns: id, body): name the text column with \"inputs\": {\"text\": \"<column>\"}")]
    [InlineData("csv", """{"text": "review"}""", "'inputs.text' names column 'review', which the input does not have (columns: id, body)")]
    [InlineData("csv", """{"text": ["id", "body"]}""", "'inputs.text' names 2 columns; an embedding model reads its text from exactly one")]
    public async Task PlanAsync_EmbeddingsJobWhoseTextCannotBeFound_FailsTheJobOnceSayingHowToNameIt(string format, string? inputs, string reason)
    {
        _jobs.WriteInput("in." + format, Encoding.UTF8.GetBytes(format == "csv" ? "id,body\nr0,hello\n" : "{\"body\": \"hello\"}\n"));
        var message = $$"""{"id": "unplanned", "model": "e", "input": "in.{{format}}", "output": "out/unplanned", "format": "{{format}}"{{(inputs is null ? "" : ", \"inputs\": " + inputs)}}}""";

        await _jobs.Handler.HandleAsync(Encoding.UTF8.GetBytes(message), "job-message", dequeueCount: 1);

        var job = (await _jobs.Store.GetAsync("unplanned"))!;
        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains(reason, job.Error);
        Assert.Empty(TakeShardMessages());
    }

    [Fact]
    public async Task PlanAsync_EmbeddingsJobAskingForAnotherOutput_FailsTheJobNamingTheOneItHas()
    {
        _jobs.WriteInput("in.jsonl", "{\"text\": \"hello\"}\n"u8.ToArray());

        await _jobs.Handler.HandleAsync(Encoding.UTF8.GetBytes("""{"id": "outputs", "model": "e", "input": "in.jsonl", "output": "out/o", "outputs": ["last_hidden_state"]}"""), "job-message", 1);

        var job = (await _jobs.Store.GetAsync("outputs"))!;
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("model 'e' is an embedding model: its one output is 'embedding' (outputs: last_hidden_state)", job.Error);
    }
}
