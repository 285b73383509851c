namespace Serverless.Core.Jobs.Formats;

/// <summary>A row's <c>id</c>, passed through to its output row; <see cref="IsNumber"/> keeps a JSON number a number.</summary>
public readonly record struct RowId(string? Value, bool IsNumber)
{
    public static readonly RowId None = new(null, false);
}
