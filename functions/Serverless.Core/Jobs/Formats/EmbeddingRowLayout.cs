using System.Text;
using Serverless.Core.Inference;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// How an embeddings job's rows map onto an embedding model: one text per row, read from the JSONL field or the CSV /
/// Parquet column <c>text</c> (or the one <c>inputs</c> maps to <c>text</c>: <c>"inputs": {"text": "review"}</c>),
/// and one output, <c>embedding</c>, a float vector of the model's dimensions per row, written as any float vector
/// output is (a JSONL array, CSV / Parquet columns <c>embedding_0..embedding_n</c>). The text travels as a BYTES
/// element, so the JSONL and CSV readers take it as they take any string input.
/// </summary>
public static class EmbeddingRowLayout
{
    /// <summary>The name the text goes by in <c>inputs</c>, and the field or column read when <c>inputs</c> maps none.</summary>
    public const string TextInput = "text";

    /// <summary>The output every row gets: its vector.</summary>
    public const string EmbeddingOutput = "embedding";

    /// <param name="columns">The input's columns for CSV and Parquet; empty for JSONL.</param>
    /// <param name="dimensions">Length of the model's vectors.</param>
    public static RowLayout Create(JobRequest request, string[] columns, int defaultBatchSize, int dimensions)
    {
        foreach (var (name, mapped) in request.Inputs)
        {
            if (name != TextInput)
            {
                throw new InvalidJobException($"'inputs' maps '{name}', but model '{request.Model}' is an embedding model: it reads one text per row, named with \"inputs\": {{\"{TextInput}\": \"<field or column>\"}}");
            }
            if (mapped.Length != 1)
            {
                throw new InvalidJobException($"'inputs.{TextInput}' names {mapped.Length} columns; an embedding model reads its text from exactly one");
            }
        }
        if (request.Outputs.Any(o => o != EmbeddingOutput))
        {
            throw new InvalidJobException($"model '{request.Model}' is an embedding model: its one output is '{EmbeddingOutput}' (outputs: {string.Join(", ", request.Outputs)})");
        }
        var field = request.Inputs.TryGetValue(TextInput, out var text) ? text[0] : TextInput;
        var idColumn = Array.IndexOf(columns, RowLayout.IdField);
        int[] textColumns = [];
        if (request.Format != JobFormat.Jsonl)
        {
            var index = Array.IndexOf(columns, field);
            if (index < 0)
            {
                throw new InvalidJobException(text is null
                    ? $"the input has no column '{TextInput}' (columns: {string.Join(", ", columns)}): name the text column with \"inputs\": {{\"{TextInput}\": \"<column>\"}}"
                    : $"'inputs.{TextInput}' names column '{field}', which the input does not have (columns: {string.Join(", ", columns)})");
            }
            textColumns = [index];
        }
        var input = new RowInput(TextInput, TensorDataType.Bytes, [1], 1, Encoding.UTF8.GetBytes(field), textColumns);
        var output = new TensorMetadata(EmbeddingOutput, TensorDataType.FP32, [-1, dimensions]);
        return new RowLayout([input], [output], request.BatchSize ?? defaultBatchSize, columns, idColumn);
    }
}
