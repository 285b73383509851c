namespace Serverless.SampleModels.Text;

/// <summary>
/// GPT-2's byte-level alphabet: every byte is one printable character (printable ASCII and Latin-1 map to themselves,
/// the rest to U+0100 onwards, so a space is 'Ġ'), which is how a byte-level BPE tokenizer.json spells its vocabulary.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] CharOfByte = Build();

    public static char Of(byte value) => CharOfByte[value];

    public static string Of(string text) => string.Concat(System.Text.Encoding.UTF8.GetBytes(text).Select(Of));

    private static char[] Build()
    {
        var chars = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            chars[b] = printable ? (char)b : (char)next++;
        }

        return chars;
    }
}
