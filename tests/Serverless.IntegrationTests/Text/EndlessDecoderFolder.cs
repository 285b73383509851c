using Serverless.SampleModels.Text;

namespace Serverless.Tests.Text;

/// <summary>
/// A decoder in GenAI's layout that never ends by itself: the project's writer's folder, with the end-of-sequence
/// tokens' logits pushed far down (on top of the printable bias). A random decoder otherwise picks one within tens to
/// hundreds of tokens, so only this one is sure to still be generating when a test acts mid-stream.
/// </summary>
public static class EndlessDecoderFolder
{
    /// <returns>The folder's bytes.</returns>
    public static long Write(string folder, DecoderDimensions dimensions, int seed)
    {
        var tokenizer = new TinyTokenizer();
        var bias = tokenizer.PrintableBias();
        bias[tokenizer.EndOfTextId] = -1000f;
        bias[tokenizer.MessageEndId] = -1000f;
        var files = new Dictionary<string, byte[]>(GenAiFolderWriter.Create(dimensions, seed))
        {
            [GenAiFolderWriter.DecoderFile] = TinyDecoder.Create(dimensions, tokenizer.VocabSize, seed, bias),
        };
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }
        return files.Values.Sum(f => (long)f.Length);
    }
}
