namespace Serverless.Core.Jobs;

/// <summary>A Parquet file begins and ends with the 4-byte marker <c>PAR1</c>: checked before parsing, so the common mistake gets a plain answer.</summary>
internal static class ParquetMarkers
{
    private static readonly byte[] Marker = "PAR1"u8.ToArray();

    // Marker, footer length, marker: the least a Parquet file holds.
    private const int MinLength = 12;

    /// <returns>What is wrong in words, or null when both markers are there.</returns>
    public static async Task<string?> ProblemAsync(Stream stream, long length, CancellationToken cancellationToken)
    {
        if (length < MinLength)
        {
            return $"it is {length} bytes, and a Parquet file holds at least {MinLength}";
        }
        var head = new byte[Marker.Length];
        var tail = new byte[Marker.Length];
        stream.Position = 0;
        await stream.ReadExactlyAsync(head, cancellationToken);
        stream.Position = length - Marker.Length;
        await stream.ReadExactlyAsync(tail, cancellationToken);
        stream.Position = 0;
        return head.AsSpan().SequenceEqual(Marker) && tail.AsSpan().SequenceEqual(Marker)
            ? null
            : "it does not begin and end with the Parquet marker 'PAR1'";
    }
}
