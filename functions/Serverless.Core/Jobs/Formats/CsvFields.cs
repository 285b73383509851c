using System.Buffers;
using System.Text;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Splits one CSV line into fields: comma-separated, a field may be double-quoted ("" inside quotes is a quote).
/// NOTE: a row is one line: quoted fields cannot hold line breaks, because shards split the input at line starts
/// without reading it. A quote still open at the end of a line is reported, so such a row is an error with a reason.
/// </summary>
public static class CsvFields
{
    /// <summary>Returned by <see cref="Split"/> when the fields are more than the capacity given.</summary>
    public const int TooManyFields = -1;

    /// <summary>Returned by <see cref="Split"/> when a quoted field is still open at the end of the line.</summary>
    public const int UnterminatedQuote = -2;

    /// <summary>
    /// Returned by <see cref="Split"/> for a quote inside an unquoted field: invalid CSV (RFC 4180), and what the rest
    /// of a row whose quoted field held a line break looks like, which must not be scored as a row of its own.
    /// </summary>
    public const int StrayQuote = -3;

    /// <summary>Writes each field's (start, length) into <paramref name="fields"/>; returns the count, or one of the negative constants above.</summary>
    public static int Split(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        var count = 0;
        var position = 0;
        while (true)
        {
            if (count == fields.Length)
            {
                return TooManyFields;
            }
            int start, end;
            if (position < line.Length && line[position] == '"')
            {
                start = position + 1;
                var i = start;
                while (i < line.Length && !(line[i] == '"' && (i + 1 >= line.Length || line[i + 1] != '"')))
                {
                    i += line[i] == '"' ? 2 : 1;
                }
                if (i >= line.Length)
                {
                    return UnterminatedQuote;
                }
                end = i;
                position = i + 1;
                var comma = line[position..].IndexOf((byte)',');
                position = comma < 0 ? line.Length : position + comma;
            }
            else
            {
                start = position;
                var stop = line[position..].IndexOfAny((byte)',', (byte)'"');
                if (stop >= 0 && line[position + stop] == '"')
                {
                    return StrayQuote;
                }
                end = stop < 0 ? line.Length : position + stop;
                position = end;
            }
            fields[count++] = new Range(start, end);
            if (position >= line.Length)
            {
                return count;
            }
            position++;
        }
    }

    /// <summary>What is wrong with a line <see cref="Split"/> refused with <see cref="UnterminatedQuote"/> or <see cref="StrayQuote"/>.</summary>
    public static string Problem(int splitResult) => splitResult switch
    {
        UnterminatedQuote => "a quoted field is not closed on its line (a CSV row must be one line: line breaks inside quotes are not supported)",
        StrayQuote => "a quote inside an unquoted field (quote the whole field, doubling the quote; or this is the rest of a row whose quoted field held a line break)",
        _ => throw new ArgumentOutOfRangeException(nameof(splitResult)),
    };

    /// <summary>A field's text with quoting undone.</summary>
    public static string Text(ReadOnlySpan<byte> field) => Encoding.UTF8.GetString(field).Replace("\"\"", "\"");

    /// <summary>A field's bytes with quoting undone, byte for byte (text columns feeding a BYTES input).</summary>
    public static ReadOnlySpan<byte> Unquote(ReadOnlySpan<byte> field)
    {
        if (field.IndexOf("\"\""u8) < 0)
        {
            return field;
        }
        var bytes = new byte[field.Length];
        var length = 0;
        for (var i = 0; i < field.Length; i++)
        {
            bytes[length++] = field[i];
            if (field[i] == '"')
            {
                i++;
            }
        }
        return bytes.AsSpan(0, length);
    }

    public static string[] SplitHeader(string header)
    {
        var bytes = Encoding.UTF8.GetBytes(header.TrimStart('\uFEFF'));
        var ranges = new Range[Math.Max(1, bytes.Length + 1)];
        var count = Split(bytes, ranges);
        if (count is UnterminatedQuote or StrayQuote)
        {
            throw new InvalidJobException($"the CSV header is not valid CSV: {Problem(count)}");
        }
        return ranges[..count].Select(r => Text(bytes.AsSpan()[r]).Trim()).ToArray();
    }

    /// <summary>Writes a value's bytes for CSV output, quoted (quotes doubled) when it holds a comma, quote or line break.</summary>
    public static void WriteQuoted(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAny(",\"\r\n"u8) < 0)
        {
            output.Write(value);
            return;
        }
        output.Write("\""u8);
        foreach (var b in value)
        {
            output.Write(b == '"' ? "\"\""u8 : [b]);
        }
        output.Write("\""u8);
    }

    /// <summary>Quotes a value for CSV output when it needs it.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
