using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Core.Jobs;

/// <summary>
/// A tensor job's rows: each batch laid out as the model's input tensors goes through the leased graph's one door
/// (<see cref="LoadedModel.RunAsync(IReadOnlyList{InferenceTensor}, IReadOnlyList{string}, CancellationToken)"/>, so a
/// model with dynamic batching shares its batcher with HTTP requests), and its output tensors are written as rows.
/// </summary>
internal sealed class TensorShardRun(RowLayout layout, LoadedModel model, IRowWriter writer) : ShardRun(layout, writer)
{
    private readonly string[] _outputNames = layout.Outputs.Select(o => o.Name).ToArray();

    protected override async Task ScoreBatchAsync(CancellationToken cancellationToken)
    {
        // Only the caller's errors mark rows bad. A ModelRunException (the GPU ran out of memory, a CUDA failure)
        // is the server's: it fails the attempt, and the queue retries the whole shard.
        try
        {
            await ScoreAsync(0, Batch.Count, cancellationToken);
        }
        catch (InvalidInferenceInputException) when (Batch.Count > 1)
        {
            // The model refused the batch: score row by row so only the rows it refuses fail.
            for (var i = 0; i < Batch.Count; i++)
            {
                try
                {
                    await ScoreAsync(i, 1, cancellationToken);
                }
                catch (InvalidInferenceInputException e)
                {
                    RecordError(Batch.Rows[i], e.Message);
                }
            }
        }
        catch (InvalidInferenceInputException e)
        {
            RecordError(Batch.Rows[0], e.Message);
        }
    }

    private async Task ScoreAsync(int first, int count, CancellationToken cancellationToken)
    {
        var inputs = Batch.Tensors(first, count);
        var result = await ShardScorer.RetryWhenShedAsync(() => model.RunAsync(inputs, _outputNames, cancellationToken), cancellationToken);
        // The writers copy the rows out, so the outputs' pooled arrays go back before the next batch rents its own.
        using (result.Buffers)
        {
            EnsureText(result.Outputs);
            Writer.WriteRows(Batch, first, count, result.Outputs, Output);
        }
        ComputeTime += result.ComputeTime(count);
        Scored += count;
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
}
