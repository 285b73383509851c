using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parquet;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Core.Jobs;

/// <summary>
/// Scores one shard: streams its lines (or Parquet row groups), decodes them into micro-batches laid out as the model's
/// input tensors, runs each batch through the leased model's one door (<see cref="LoadedModel.RunAsync(IReadOnlyList{InferenceTensor}, IReadOnlyList{string}, CancellationToken)"/>,
/// so a model with dynamic batching shares its batcher with HTTP requests), and streams the rows into the shard's
/// part, committed once at the end.
/// Rows that do not decode, or that the model rejects, go to the shard's error file; the rest of the shard goes on.
/// </summary>
public sealed class ShardScorer(IJobFiles files, ModelCache cache, IOptions<JobsOptions> options, ILogger<ShardScorer> logger)
{
    // Output is handed to the part writer in chunks of this size (one staged block per chunk for blobs).
    private const int FlushBytes = 4 * 1024 * 1024;

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
            ? await ScoreParquetAsync(job, shard, lease.Graph, stream, part, errors, cancellationToken)
            : await ScoreLinesAsync(job, lease.Graph, stream, start, end, part, errors, cancellationToken);
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
        };
    }

    /// <summary>JSONL and CSV: the lines that start in [start, end), written to the part in chunks as they are scored.</summary>
    private async Task<Run> ScoreLinesAsync(JobRecord job, LoadedModel model, Stream stream, long start, long end, IPartWriter part, ErrorPart errors,
        CancellationToken cancellationToken)
    {
        var request = job.Request;
        var csv = request.Format == JobFormat.Csv;
        var layout = RowLayout.Create(model.Session, model.Config.MaxBatchSize, request, csv ? CsvFields.SplitHeader(job.CsvHeader ?? "") : [], options.Value.RowBatchSize);
        var run = new Run(layout, model, csv ? new CsvRowWriter(layout) : new JsonlRowWriter(layout));
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
    private async Task<Run> ScoreParquetAsync(JobRecord job, int shard, LoadedModel model, Stream stream, IPartWriter part, ErrorPart errors,
        CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var layout = RowLayout.Create(model.Session, model.Config.MaxBatchSize, job.Request, ParquetRowSource.ColumnsOf(reader), options.Value.RowBatchSize);
        await using var writer = new ParquetRowWriter(layout);
        var run = new Run(layout, model, writer);
        var source = new ParquetRowSource(reader, layout);
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

    /// <summary>The shard's error file, created only when a row fails.</summary>
    private sealed class ErrorPart(IJobFiles files, JobLocation output, string name) : IAsyncDisposable
    {
        private IPartWriter? _writer;

        public async Task WriteAsync(Run run, int threshold, CancellationToken cancellationToken)
        {
            if (run.Errors.WrittenCount >= threshold && run.Errors.WrittenCount > 0)
            {
                _writer ??= files.CreateWriter(output, name);
                await _writer.WriteAsync(run.Errors.WrittenMemory, cancellationToken);
                run.Errors.ResetWrittenCount();
            }
        }

        public async Task CommitAsync(Run run, CancellationToken cancellationToken)
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

    /// <summary>Scoring a shard's rows: rows in, batches through the model, rows out.</summary>
    private sealed class Run(RowLayout layout, LoadedModel model, IRowWriter writer)
    {
        private readonly RowBatch _batch = new(layout);
        private readonly string[] _outputNames = layout.Outputs.Select(o => o.Name).ToArray();
        private readonly Utf8JsonWriter _errorWriter = new(Stream.Null, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        public IRowWriter Writer { get; } = writer;

        public ArrayBufferWriter<byte> Output { get; } = new(FlushBytes + 64 * 1024);

        public ArrayBufferWriter<byte> Errors { get; } = new();

        /// <summary>Next row number within the shard: blank lines use one too, so numbers match line positions.</summary>
        public long Row { get; private set; }

        public long Scored { get; private set; }

        public long Failed { get; private set; }

        /// <summary>The model's own time for this shard's rows (<see cref="SessionRunResult.ComputeTime"/>): neither reading, writing nor waiting in a batcher's queue.</summary>
        public TimeSpan ComputeTime { get; private set; }

        /// <returns>Whether the batch is full: flush it before the next row.</returns>
        public bool Accept(ReadOnlySpan<byte> line, IRowReader reader)
        {
            var row = Row++;
            if (line.Trim(" \t"u8).IsEmpty)
            {
                return false;
            }
            return Added(reader.TryRead(line, row, _batch, out var error), row, error);
        }

        /// <summary>A row that cannot even be read: it takes its row number and fails with the reason.</summary>
        public void Reject(string reason) => RecordError(Row++, reason);

        /// <returns>Whether the batch is full: flush it before the next row.</returns>
        public bool Accept(ParquetRowSource source, int index)
        {
            var row = Row++;
            return Added(source.TryRead(index, row, _batch, out var error), row, error);
        }

        private bool Added(bool added, long row, string? error)
        {
            if (!added)
            {
                RecordError(row, error!);
            }
            return _batch.IsFull;
        }

        /// <summary>Scores the rows collected so far.</summary>
        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_batch.Count == 0)
            {
                return;
            }
            // A cancelled job (JobCancellationWatch) or a stopping instance: no batch starts after it is seen.
            cancellationToken.ThrowIfCancellationRequested();
            // Only the caller's errors mark rows bad. A ModelRunException (the GPU ran out of memory, a CUDA failure)
            // is the server's: it fails the attempt, and the queue retries the whole shard.
            try
            {
                await ScoreAsync(0, _batch.Count, cancellationToken);
            }
            catch (InvalidInferenceInputException) when (_batch.Count > 1)
            {
                // The model refused the batch: score row by row so only the rows it refuses fail.
                for (var i = 0; i < _batch.Count; i++)
                {
                    try
                    {
                        await ScoreAsync(i, 1, cancellationToken);
                    }
                    catch (InvalidInferenceInputException e)
                    {
                        RecordError(_batch.Rows[i], e.Message);
                    }
                }
            }
            catch (InvalidInferenceInputException e)
            {
                RecordError(_batch.Rows[0], e.Message);
            }
            _batch.Clear();
        }

        private async Task ScoreAsync(int first, int count, CancellationToken cancellationToken)
        {
            var result = await RunAsync(_batch.Tensors(first, count), cancellationToken);
            // The writers copy the rows out, so the outputs' pooled arrays go back before the next batch rents its own.
            using (result.Buffers)
            {
                EnsureText(result.Outputs);
                Writer.WriteRows(_batch, first, count, result.Outputs, Output);
            }
            ComputeTime += result.ComputeTime(count);
            Scored += count;
        }

        /// <summary>
        /// A shard shares a batching model's queue with HTTP requests, and is shed like them when the queue is full or a
        /// request waited past default_timeout_us. An HTTP caller is told to retry; the shard waits as long and tries
        /// the batch again, a few times, rather than failing the attempt and scoring the whole shard again.
        /// </summary>
        private async Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await model.RunAsync(inputs, _outputNames, cancellationToken);
                }
                catch (ModelOverloadedException e) when (attempt < MaxShedAttempts)
                {
                    await Task.Delay(TimeSpan.FromSeconds(e.RetryAfterSeconds ?? 1), cancellationToken);
                }
            }
        }

        /// <summary>
        /// JSONL and CSV parts carry text: a BYTES output element that is not UTF-8 fails the batch before anything is
        /// written, so the row-by-row retry records just the rows it belongs to (Parquet refuses BYTES outputs at the start).
        /// </summary>
        private static void EnsureText(IReadOnlyList<InferenceTensor> outputs)
        {
            foreach (var output in outputs)
            {
                if (output.DataType != TensorDataType.Bytes)
                {
                    continue;
                }
                if (BytesTensor.IndexOfInvalidUtf8(output.Data.Span) is var index and >= 0)
                {
                    throw new InvalidInferenceInputException($"output '{output.Name}': BYTES element {index} is not valid UTF-8, which a JSONL or CSV part cannot hold");
                }
            }
        }

        private void RecordError(long row, string reason)
        {
            Failed++;
            _errorWriter.Reset(Errors);
            _errorWriter.WriteStartObject();
            _errorWriter.WriteNumber("row"u8, row);
            _errorWriter.WriteString("reason"u8, reason);
            _errorWriter.WriteEndObject();
            _errorWriter.Flush();
            Errors.Write("\n"u8);
        }
    }
}
