using System.Text;
using Serverless.Core.Inference;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// How a job's rows map onto a model: which field or columns feed each input, which outputs are written, and how
/// many rows go into one run. Built once per shard from the model's signature; every mismatch is an
/// <see cref="InvalidJobException"/> that names the input and the numbers involved.
/// </summary>
public sealed class RowLayout
{
    public const string IdField = "id";

    internal RowLayout(IReadOnlyList<RowInput> inputs, IReadOnlyList<TensorMetadata> outputs, int batchSize, string[] columns, int idColumn)
    {
        Inputs = inputs;
        Outputs = outputs;
        BatchSize = batchSize;
        Columns = columns;
        IdColumn = idColumn;
    }

    public IReadOnlyList<RowInput> Inputs { get; }

    public IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>Rows per model run: the job's batch_size, capped by the model's max_batch_size.</summary>
    public int BatchSize { get; }

    /// <summary>The columns of a tabular input (the CSV header, the Parquet schema); empty for JSONL.</summary>
    public string[] Columns { get; }

    /// <summary>The <c>id</c> column, or -1.</summary>
    public int IdColumn { get; }

    public bool IsTabular => Columns.Length > 0;

    /// <param name="columns">The input's columns for CSV and Parquet; empty for JSONL.</param>
    public static RowLayout Create(IModelSession session, int maxBatchSize, JobRequest request, string[] columns, int defaultBatchSize)
    {
        var batchSize = request.BatchSize ?? defaultBatchSize;
        if (maxBatchSize > 0)
        {
            batchSize = Math.Min(batchSize, maxBatchSize);
        }
        foreach (var name in request.Inputs.Keys)
        {
            if (!session.Inputs.Any(i => i.Name == name))
            {
                throw new InvalidJobException($"'inputs' maps '{name}', which model '{request.Model}' does not have (inputs: {string.Join(", ", session.Inputs.Select(i => i.Name))})");
            }
        }
        var tabular = request.Format != JobFormat.Jsonl;
        var idColumn = Array.IndexOf(columns, IdField);
        var inputs = new List<RowInput>();
        foreach (var input in session.Inputs)
        {
            if (input.Shape.Length == 0)
            {
                throw new InvalidJobException($"input '{input.Name}' of model '{request.Model}' is a scalar; batch scoring needs a batch dimension first");
            }
            if (input.Shape[0] > 1)
            {
                throw new InvalidJobException($"input '{input.Name}' of model '{request.Model}' has a fixed batch dimension of {input.Shape[0]}; batch scoring needs it dynamic or 1");
            }
            if (input.Shape[0] == 1)
            {
                batchSize = 1;
            }
            var rowShape = input.Shape[1..];
            if (rowShape.Any(d => d < 0))
            {
                throw new InvalidJobException($"input '{input.Name}' of model '{request.Model}' has shape {TensorShape.Format(input.Shape)}: batch scoring needs every dimension but the first fixed");
            }
            var rowElements = checked((int)TensorShape.ElementCount(rowShape));
            request.Inputs.TryGetValue(input.Name, out var mapped);
            var field = mapped is { Length: > 0 } ? mapped[0] : input.Name;
            var inputColumns = tabular ? ColumnsFor(input.Name, mapped, columns, idColumn, session.Inputs.Count, rowElements) : [];
            inputs.Add(new RowInput(input.Name, input.DataType, rowShape, rowElements, Encoding.UTF8.GetBytes(field), inputColumns));
        }
        var outputs = request.Outputs.Count == 0
            ? session.Outputs
            : request.Outputs.Select(name => session.Outputs.FirstOrDefault(o => o.Name == name)
                ?? throw new InvalidJobException($"model '{request.Model}' has no output '{name}' (outputs: {string.Join(", ", session.Outputs.Select(o => o.Name))})")).ToList();
        return new RowLayout(inputs, outputs, batchSize, columns, idColumn);
    }

    /// <summary>Output columns of a tabular output: one per value, <c>name_0..name_n</c> when an output has several per row.</summary>
    public IReadOnlyList<(int Output, int Element, string Name)> OutputColumns()
    {
        var columns = new List<(int, int, string)>();
        for (var o = 0; o < Outputs.Count; o++)
        {
            var output = Outputs[o];
            var perRow = TensorShape.ElementCount(output.Shape.Length > 0 ? output.Shape[1..] : []);
            if (perRow < 0)
            {
                throw new InvalidJobException($"output '{output.Name}' has shape {TensorShape.Format(output.Shape)}: CSV and Parquet need a fixed number of values per row (use jsonl)");
            }
            if (perRow == 1 && output.Shape.Length <= 1)
            {
                columns.Add((o, 0, output.Name));
            }
            else
            {
                columns.AddRange(Enumerable.Range(0, (int)perRow).Select(e => (o, e, $"{output.Name}_{e}")));
            }
        }
        return columns;
    }

    private static int[] ColumnsFor(string input, string[]? mapped, string[] header, int idColumn, int inputCount, int rowElements)
    {
        int[] indexes;
        if (mapped is not null)
        {
            indexes = mapped.Select(column => Array.IndexOf(header, column) is var i and >= 0
                ? i
                : throw new InvalidJobException($"'inputs.{input}' names column '{column}', which the input does not have (columns: {string.Join(", ", header)})")).ToArray();
        }
        else if (inputCount == 1)
        {
            // One input: every column but id feeds it, in header order.
            indexes = Enumerable.Range(0, header.Length).Where(i => i != idColumn).ToArray();
        }
        else
        {
            indexes = Array.IndexOf(header, input) is var single and >= 0
                ? [single]
                : throw new InvalidJobException($"the model has several inputs: map columns to input '{input}' with 'inputs'");
        }
        if (indexes.Length != rowElements)
        {
            throw new InvalidJobException($"input '{input}' needs {rowElements} values per row but {indexes.Length} columns feed it ({string.Join(", ", indexes.Select(i => header[i]))})");
        }
        return indexes;
    }
}
