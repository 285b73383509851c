using System.Text;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Splits one CSV line into fields: comma-separated, a field may be double-quoted ("" inside quotes is a quote).
/// NOTE: a row is one line: quoted fields cannot hold line breaks, because shards split the input at line starts.
/// </summary>
public static class CsvFields
{
    /// <summary>Writes each field's (start, length) into <paramref name="fields"/>; returns the count, or -1 past its capacity.</summary>
    public static int Split(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        var count = 0;
        var position = 0;
        while (true)
        {
            if (count == fields.Length)
            {
                return -1;
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
                end = i;
                position = Math.Min(line.Length, i + 1);
                var comma = line[position..].IndexOf((byte)',');
                position = comma < 0 ? line.Length : position + comma;
            }
            else
            {
                start = position;
                var comma = line[position..].IndexOf((byte)',');
                end = comma < 0 ? line.Length : position + comma;
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

    /// <summary>A field's text with quoting undone.</summary>
    public static string Text(ReadOnlySpan<byte> field) => Encoding.UTF8.GetString(field).Replace("\"\"", "\"");

    public static string[] SplitHeader(string header)
    {
        var bytes = Encoding.UTF8.GetBytes(header.TrimStart('\uFEFF'));
        var ranges = new Range[Math.Max(1, bytes.Length + 1)];
        var count = Split(bytes, ranges);
        return ranges[..count].Select(r => Text(bytes.AsSpan()[r]).Trim()).ToArray();
    }

    /// <summary>Quotes a value for CSV output when it needs it.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
