using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>Parquet jobs against Azurite: shards of whole row groups, typed output columns, nulls as bad rows.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ParquetJobsTests(AzuriteFixture azurite)
{
    private const int RowGroups = 6, RowsPerGroup = 40;

    [Fact]
    public async Task ParquetJob_ManyRowGroups_OutputEqualsHttpApiRowByRow()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.Container.GetBlobClient("in/iris.parquet").UploadAsync(new BinaryData(await IrisParquetAsync(nullAt: 45)), overwrite: true);
        await using var host = await ServerlessHost.StartAsync(space.Settings(("Jobs:ShardBytes", "4096")));

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = "parquet", model = "iris-mlp", input = space.Url("in/iris.parquet"), output = space.Url("out/parquet"), format = "parquet", max_error_rate = 0.5 });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(host.Client, "parquet");

        Assert.Equal("partially_succeeded", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("shards").GetProperty("total").GetInt32() > 1);
        Assert.Equal(RowGroups * RowsPerGroup - 1, status.GetProperty("rows").GetProperty("scored").GetInt64());
        var errors = JobOutputRows.Jsonl(await space.DownloadAsync("out/parquet/_errors.jsonl"));
        Assert.Equal(45, Assert.Single(errors).GetProperty("row").GetInt64());
        Assert.Contains("'petal_width' is null", errors[0].GetProperty("reason").GetString());

        using var manifest = JsonDocument.Parse(await space.DownloadAsync("out/parquet/_manifest.json"));
        var seen = new List<long>();
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            var firstRow = part.GetProperty("first_row").GetInt64();
            var content = await space.Container.GetBlobClient($"out/parquet/{part.GetProperty("name").GetString()}").DownloadContentAsync();
            await using var reader = await ParquetReader.CreateAsync(content.Value.Content.ToStream());
            var fields = reader.Schema.GetDataFields();
            Assert.Equal(["row", "id", "probabilities_0", "probabilities_1", "probabilities_2", "label"], fields.Select(f => f.Name));
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var group = reader.OpenRowGroupReader(g);
                var n = (int)group.RowCount;
                var rows = new long[n];
                var ids = new string?[n];
                var probabilities = Enumerable.Range(0, 3).Select(_ => new float[n]).ToArray();
                var labels = new long[n];
                await group.ReadAsync<long>(fields[0], rows.AsMemory());
                await group.ReadAsync(fields[1], ids.AsMemory());
                for (var p = 0; p < 3; p++)
                {
                    await group.ReadAsync<float>(fields[2 + p], probabilities[p].AsMemory());
                }
                await group.ReadAsync<long>(fields[5], labels.AsMemory());
                for (var r = 0; r < n; r++)
                {
                    var inputRow = firstRow + rows[r];
                    seen.Add(inputRow);
                    Assert.Equal($"r{inputRow}", ids[r]);
                    var (expected, label) = await HttpReference.InferAsync(host.Client, IrisRows.Features((int)inputRow));
                    Assert.Equal(expected, probabilities.Select(column => column[r]).ToArray());
                    Assert.Equal(label, labels[r]);
                }
            }
        }
        Assert.Equal(Enumerable.Range(0, RowGroups * RowsPerGroup).Where(r => r != 45).Select(r => (long)r), seen.Order());
    }

    /// <summary>Iris rows in row groups of 40: a string id, FP32 and FP64 measurement columns, one nullable column.</summary>
    private static async Task<byte[]> IrisParquetAsync(int nullAt)
    {
        var id = new DataField<string>("id");
        var sepalLength = new DataField<float>("sepal_length");
        var sepalWidth = new DataField<double>("sepal_width");
        var petalLength = new DataField<float>("petal_length");
        var petalWidth = new DataField<float?>("petal_width");
        var schema = new ParquetSchema(id, sepalLength, sepalWidth, petalLength, petalWidth);
        using var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
        {
            for (var g = 0; g < RowGroups; g++)
            {
                var rows = Enumerable.Range(g * RowsPerGroup, RowsPerGroup).ToArray();
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(id, rows.Select(r => $"r{r}").ToArray());
                await group.WriteAsync<float>(sepalLength, rows.Select(r => IrisRows.Features(r)[0]).ToArray());
                await group.WriteAsync<double>(sepalWidth, rows.Select(r => (double)IrisRows.Features(r)[1]).ToArray());
                await group.WriteAsync<float>(petalLength, rows.Select(r => IrisRows.Features(r)[2]).ToArray());
                await group.WriteAsync<float>(petalWidth, rows.Select(r => r == nullAt ? null : (float?)IrisRows.Features(r)[3]).ToArray());
            }
        }
        return stream.ToArray();
    }
}
