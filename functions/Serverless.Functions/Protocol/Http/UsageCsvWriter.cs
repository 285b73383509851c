using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Serverless.Core.Metering;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Usage records as RFC 4180 CSV, streamed as the store reads them, one line per record. Columns added later go at the
/// end (the tokens of text calls), so a reader of the earlier columns by position still reads them.
/// </summary>
public static class UsageCsvWriter
{
    public const string Header = "id,request_id,time,caller,key_id,model,version,outcome,status,rows,input_bytes,compute_seconds,execution_provider,cost,input_tokens,output_tokens";

    public static async Task WriteAsync(PipeWriter output, IAsyncEnumerable<UsageRecord> records, CancellationToken cancellationToken)
    {
        var line = new StringBuilder(256);
        Write(output, line.Append(Header).Append("\r\n"));
        await foreach (var r in records.WithCancellation(cancellationToken))
        {
            line.Clear()
                .Append(Field(r.Id)).Append(',')
                .Append(Field(r.RequestId)).Append(',')
                .Append(r.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(r.CallerId)).Append(',')
                .Append(Field(r.KeyId ?? "")).Append(',')
                .Append(Field(r.Model)).Append(',')
                .Append(r.Version.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.Outcome.ToString().ToLowerInvariant()).Append(',')
                .Append(r.Status.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.Rows.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.InputBytes.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.ComputeSeconds.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(r.ExecutionProvider)).Append(',')
                .Append(r.Cost.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.InputTokens.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.OutputTokens.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            Write(output, line);
            if (output.UnflushedBytes > 32 * 1024)
            {
                await output.FlushAsync(cancellationToken);
            }
        }
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Quotes fields that need it, and defuses text a spreadsheet would run as a formula (request ids come from
    /// callers, and billing CSVs get opened in spreadsheets).
    /// </summary>
    internal static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private static void Write(PipeWriter output, StringBuilder line)
    {
        foreach (var chunk in line.GetChunks())
        {
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            output.Advance(Encoding.UTF8.GetBytes(chunk.Span, span));
        }
    }
}
