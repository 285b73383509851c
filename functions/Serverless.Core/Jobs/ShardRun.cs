using System.Buffers;
using System.Text.Json;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Core.Jobs;

/// <summary>
/// Scoring a shard's rows: rows in, batches through the model, rows out. What every kind of job shares (row numbers,
/// the batch being filled, the output and error buffers, the counts); how a full batch is scored is the model kind's
/// (<see cref="TensorShardRun"/>, <see cref="EmbeddingShardRun"/>).
/// </summary>
internal abstract class ShardRun(RowLayout layout, IRowWriter writer)
{
    private readonly Utf8JsonWriter _errorWriter = new(Stream.Null, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    protected RowBatch Batch { get; } = new(layout);

    public IRowWriter Writer { get; } = writer;

    public ArrayBufferWriter<byte> Output { get; } = new(ShardScorer.FlushBytes + 64 * 1024);

    public ArrayBufferWriter<byte> Errors { get; } = new();

    /// <summary>Next row number within the shard: blank lines use one too, so numbers match line positions.</summary>
    public long Row { get; private set; }

    public long Scored { get; protected set; }

    public long Failed { get; private set; }

    /// <summary>The model's own time for this shard's rows (<see cref="Inference.SessionRunResult.ComputeTime"/>): neither reading, writing nor waiting in a batcher's queue.</summary>
    public TimeSpan ComputeTime { get; protected set; }

    /// <summary>Tokens the shard's rows fed a text model (what an embeddings job is billed for); 0 for a tensor model.</summary>
    public long InputTokens { get; protected set; }

    /// <returns>Whether the batch is full: flush it before the next row.</returns>
    public bool Accept(ReadOnlySpan<byte> line, IRowReader reader)
    {
        var row = Row++;
        if (line.Trim(" \t"u8).IsEmpty)
        {
            return false;
        }
        return Added(reader.TryRead(line, row, Batch, out var error), row, error);
    }

    /// <summary>A row that cannot even be read: it takes its row number and fails with the reason.</summary>
    public void Reject(string reason) => RecordError(Row++, reason);

    /// <returns>Whether the batch is full: flush it before the next row.</returns>
    public bool Accept(IRowSource source, int index)
    {
        var row = Row++;
        return Added(source.TryRead(index, row, Batch, out var error), row, error);
    }

    private bool Added(bool added, long row, string? error)
    {
        if (added && Admit() is { } refused)
        {
            Batch.RemoveLast();
            (added, error) = (false, refused);
        }
        if (!added)
        {
            RecordError(row, error!);
        }
        return Batch.IsFull;
    }

    /// <summary>Scores the rows collected so far.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (Batch.Count == 0)
        {
            return;
        }
        // A cancelled job (JobCancellationWatch) or a stopping instance: no batch starts after it is seen.
        cancellationToken.ThrowIfCancellationRequested();
        await ScoreBatchAsync(cancellationToken);
        Batch.Clear();
    }

    /// <summary>
    /// Checks the row just added to <see cref="Batch"/> (its last) before any run: the reason the model refuses it
    /// (it is then taken back and recorded as failed, in row order with the rows that did not decode), or null.
    /// </summary>
    protected virtual string? Admit() => null;

    /// <summary>Scores every row of <see cref="Batch"/>: writes the rows the model takes, records the others' errors.</summary>
    protected abstract Task ScoreBatchAsync(CancellationToken cancellationToken);

    protected void RecordError(long row, string reason)
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
