using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parquet;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Jobs.Formats;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Core.Jobs;

/// <summary>
/// Scores one shard: streams its lines (or Parquet row groups), decodes them into micro-batches, scores each batch
/// with the leased model (a tensor model's input tensors through its one door, <see cref="TensorShardRun"/>; an
/// embedding model's texts through its own batching, <see cref="EmbeddingShardRun"/>), and streams the rows into the
/// shard's part, committed once at the end.
/// Rows that do not decode, or that the model rejects, go to the shard's error file; the rest of the shard goes on.
/// </summary>
/// <param name="embeddings">Embeddings:MaxInputsPerCall, the most texts an embeddings job hands its model at once.</param>
public sealed class ShardScorer(IJobFiles files, ModelCache cache, IOptions<JobsOptions> options, ILogger<ShardScorer> logger,
    IOptions<EmbeddingsOptions>? embeddings = null)
{
    // Output is handed to the part writer in chunks of this size (one staged block per chunk for blobs).
    internal const int FlushBytes = 4 * 1024 * 1024;

    // Tries of one batch that a saturated batcher sheds; the last failure fails the attempt (the queue retries the shard).
    private const int MaxShedAttempts = 10;

    /// <param name="retried">An earlier delivery of this shard failed, maybe killed mid-write: its temporary files are removed first.</param>
    public async Task<ShardResult> ScoreAsync(JobRecord job, int shard, bool retried = false, CancellationToken cancellationToken = default)
    {
        var request = job.Request;
        var message = new ShardMessage(job.Id, shard);
        var (input, output) = JobLocations.Resolve(files, request);
        using var lease = await cache.AcquireAsync(request.Model, job.ModelVersion, cancellationToken);
        var (start, end) = job.ShardRange(shard);
        var parquet = request.Format == JobFormat.Parquet;
        // A byte-range shard starts one byte early to find its first line; Parquet reads its row groups by offset.
        await using var stream = await files.OpenReadAsync(input, parquet || start == 0 ? 0 : start - 1, job.InputETag, cancellationToken);
        if (retried)
        {
            await files.DeleteTemporaryFilesAsync(output, message.PartName(request.Format), cancellationToken);
            await files.DeleteTemporaryFilesAsync(output, message.ErrorPartName, cancellationToken);
        }
        await using var part = files.CreateWriter(output, message.PartName(request.Format));
        await using var errors = new ErrorPart(files, output, message.ErrorPartName);
        var run = parquet
            ? await ScoreParquetAsync(job, shard, lease, stream, part, errors, cancellationToken)
            : await ScoreLinesAsync(job, lease, stream, start, end, part, errors, cancellationToken);
        // The error file first: once the part exists, a reader may take the shard as finished.
        await errors.CommitAsync(run, cancellationToken);
        await part.CommitAsync(cancellationToken);
        logger.LogInformation("Scored shard {Shard} of job {JobId}: {Rows} rows, {Failed} failed, {ComputeMs} ms in the model",
            shard, job.Id, run.Scored, run.Failed, run.ComputeTime.TotalMilliseconds);
        return new ShardResult
        {
            JobId = job.Id,
            Shard = shard,
            Part = message.PartName(request.Format),
            Rows = run.Row,
            RowsScored = run.Scored,
            RowsFailed = run.Failed,
            ErrorPart = run.Failed > 0 ? message.ErrorPartName : null,
            ComputeMilliseconds = run.ComputeTime.TotalMilliseconds,
            InputTokens = run.InputTokens,
        };
    }

    /// <summary>JSONL and CSV: the lines that start in [start, end), written to the part in chunks as they are scored.</summary>
    private async Task<ShardRun> ScoreLinesAsync(JobRecord job, ModelLease lease, Stream stream, long start, long end, IPartWriter part, ErrorPart errors,
        CancellationToken cancellationToken)
    {
        var request = job.Request;
        var csv = request.Format == JobFormat.Csv;
        var layout = JobRowLayouts.For(lease, request, csv ? CsvFields.SplitHeader(job.CsvHeader ?? "") : [], options.Value.RowBatchSize);
        var run = StartRun(lease, layout, csv ? new CsvRowWriter(layout) : new JsonlRowWriter(layout));
        IRowReader reader = csv ? new CsvRowReader(layout) : new JsonlRowReader(layout);
        var lines = new ShardLineReader(stream, start, end);
        run.Writer.WriteHeader(run.Output);
        if (csv && start == 0)
        {
            // The header line: the planner read it already.
            await lines.MoveNextAsync(cancellationToken);
        }
        while (await lines.MoveNextAsync(cancellationToken))
        {
            if (lines.LineTooLong)
            {
                run.Reject($"the line is longer than {lines.MaxLineBytes} bytes");
            }
            else if (run.Accept(lines.Line, reader))
            {
                await run.FlushAsync(cancellationToken);
            }
            if (run.Output.WrittenCount >= FlushBytes)
            {
                await part.WriteAsync(run.Output.WrittenMemory, cancellationToken);
                run.Output.ResetWrittenCount();
            }
            await errors.WriteAsync(run, FlushBytes, cancellationToken);
        }
        await run.FlushAsync(cancellationToken);
        await part.WriteAsync(run.Output.WrittenMemory, cancellationToken);
        return run;
    }

    /// <summary>Parquet: the shard's row groups, each scored and written as one output row group.</summary>
    private async Task<ShardRun> ScoreParquetAsync(JobRecord job, int shard, ModelLease lease, Stream stream, IPartWriter part, ErrorPart errors,
        CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var layout = JobRowLayouts.For(lease, job.Request, ParquetRowSource.ColumnsOf(reader), options.Value.RowBatchSize);
        await using var writer = new ParquetRowWriter(layout);
        var run = StartRun(lease, layout, writer);
        IRowSource source = lease.Model.Kind == ModelKind.Embedding ? new ParquetTextSource(reader, layout) : new ParquetRowSource(reader, layout);
        var (first, end) = job.ShardRowGroups(shard);
        for (var group = first; group < end; group++)
        {
            await source.LoadAsync(group, cancellationToken);
            for (var index = 0; index < source.RowCount; index++)
            {
                if (run.Accept(source, index))
                {
                    await run.FlushAsync(cancellationToken);
                }
            }
            await run.FlushAsync(cancellationToken);
            await writer.EndRowGroupAsync(cancellationToken);
            await errors.WriteAsync(run, FlushBytes, cancellationToken);
        }
        await writer.CopyToAsync(part, cancellationToken);
        return run;
    }

    /// <summary>How the leased model scores rows: an embedding model embeds their text, any other runs their tensors.</summary>
    private ShardRun StartRun(ModelLease lease, RowLayout layout, IRowWriter writer) => lease.Model.Kind == ModelKind.Embedding
        ? new EmbeddingShardRun(layout, lease.Embedding, writer, (embeddings?.Value ?? new EmbeddingsOptions()).MaxInputsPerCall)
        : new TensorShardRun(layout, lease.Graph, writer);

    /// <summary>The shard's error file, created only when a row fails.</summary>
    private sealed class ErrorPart(IJobFiles files, JobLocation output, string name) : IAsyncDisposable
    {
        private IPartWriter? _writer;

        public async Task WriteAsync(ShardRun run, int threshold, CancellationToken cancellationToken)
        {
            if (run.Errors.WrittenCount >= threshold && run.Errors.WrittenCount > 0)
            {
                _writer ??= files.CreateWriter(output, name);
                await _writer.WriteAsync(run.Errors.WrittenMemory, cancellationToken);
                run.Errors.ResetWrittenCount();
            }
        }

        public async Task CommitAsync(ShardRun run, CancellationToken cancellationToken)
        {
            await WriteAsync(run, 1, cancellationToken);
            if (_writer is not null)
            {
                await _writer.CommitAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A shard shares a batching model's queue with HTTP requests, and is shed like them when the queue is full or a
    /// request waited past default_timeout_us. An HTTP caller is told to retry; the shard waits as long and tries
    /// the batch again, a few times, rather than failing the attempt and scoring the whole shard again.
    /// </summary>
    internal static async Task<T> RetryWhenShedAsync<T>(Func<Task<T>> run, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await run();
            }
            catch (ModelOverloadedException e) when (attempt < MaxShedAttempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(e.RetryAfterSeconds ?? 1), cancellationToken);
            }
        }
    }
}
