using System.Runtime.InteropServices;
using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Jobs.Formats;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Core.Jobs;

/// <summary>
/// An embeddings job's rows: each row's text is tokenized by the model as it is read (a text that breaks a bound, or is
/// empty, is a row error with the model's reason), the rest go to <see cref="IEmbeddingModel.EmbedAsync"/> (which pads and batches
/// them with any HTTP callers' texts) and each vector is written as the row's <c>embedding</c> output. The tokens fed
/// are counted for billing.
/// </summary>
internal sealed class EmbeddingShardRun(RowLayout layout, IEmbeddingModel model, IRowWriter writer, int maxInputsPerCall) : ShardRun(layout, writer)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly TensorMetadata _output = layout.Outputs[0];

    // Named in the rows' errors: the field or column the text came from.
    private readonly string _what = $"text '{Encoding.UTF8.GetString(layout.Inputs[0].Field)}'";

    /// <summary>Each row's ids, by its place in the batch: tokenized once, as it is read.</summary>
    private readonly IReadOnlyList<int>[] _tokens = new IReadOnlyList<int>[layout.BatchSize];

    protected override string? Admit()
    {
        var index = Batch.Count - 1;
        var element = BytesTensor.Elements(Batch.Tensors(index, 1)[0].Data.Span);
        element.MoveNext();
        string text;
        try
        {
            text = StrictUtf8.GetString(element.Current);
        }
        catch (DecoderFallbackException)
        {
            return $"{_what} is not valid UTF-8 text";
        }
        if (text.Length == 0)
        {
            return $"{_what} is empty: there is no text to embed";
        }
        try
        {
            // The ids go to the model as they are, so a row's vector is the one its text gets over HTTP.
            _tokens[index] = model.Tokenize(EmbeddingInput.OfText(text));
            return null;
        }
        catch (InvalidInferenceInputException e)
        {
            return $"{_what}: {e.Message}";
        }
    }

    protected override async Task ScoreBatchAsync(CancellationToken cancellationToken)
    {
        for (var first = 0; first < Batch.Count; first += maxInputsPerCall)
        {
            await EmbedAsync(first, Math.Min(maxInputsPerCall, Batch.Count - first), cancellationToken);
        }
    }

    /// <summary>Embeds rows [first, first + count) of the batch and writes them.</summary>
    private async Task EmbedAsync(int first, int count, CancellationToken cancellationToken)
    {
        var inputs = new EmbeddingInput[count];
        for (var i = 0; i < count; i++)
        {
            inputs[i] = EmbeddingInput.OfTokens(_tokens[first + i]);
        }
        EmbeddingBatch embedded;
        try
        {
            embedded = await ShardScorer.RetryWhenShedAsync(() => model.EmbedAsync(inputs, cancellationToken), cancellationToken);
        }
        catch (InvalidInferenceInputException) when (count > 1)
        {
            // The model refused the batch: embed row by row so only the rows it refuses fail.
            for (var i = 0; i < count; i++)
            {
                await EmbedAsync(first + i, 1, cancellationToken);
            }
            return;
        }
        catch (InvalidInferenceInputException e)
        {
            RecordError(Batch.Rows[first], e.Message);
            return;
        }
        var dimensions = (int)_output.Shape[1];
        var data = new byte[count * dimensions * sizeof(float)];
        var values = MemoryMarshal.Cast<byte, float>(data.AsSpan());
        for (var i = 0; i < count; i++)
        {
            if (embedded.Vectors[i].Length != dimensions)
            {
                throw new InvalidOperationException($"model '{model.Key}' returned a vector of {embedded.Vectors[i].Length} values, its dimensions are {dimensions}");
            }
            embedded.Vectors[i].CopyTo(values.Slice(i * dimensions, dimensions));
        }
        var output = new InferenceTensor(_output.Name, TensorDataType.FP32, [count, dimensions], data);
        Writer.WriteRows(Batch, first, count, [output], Output);
        ComputeTime += embedded.ComputeTime;
        InputTokens += embedded.TotalTokens;
        Scored += count;
    }
}
