using Serverless.Core.Infrastructure.GenAI;
using Serverless.Core.Repository;
using Serverless.SampleModels.Text;

namespace Serverless.Tests.Core.Text.Generation;

/// <summary>The tiny decoder and its tokenizer, written by the test into a temporary GenAI folder and opened once per test class.</summary>
public sealed class TinyDecoderFolder : IDisposable
{
    public static readonly ModelKey Key = new("tiny-chat", 1);

    public TinyDecoderFolder()
    {
        Directory = Path.Combine(Path.GetTempPath(), "serverless-genai-" + Guid.NewGuid().ToString("N"));
        var files = GenAiFolderWriter.Write(Directory, Dimensions, TinyChatSample.Seed);
        Model = GenAiGenerativeModel.Open(Key, Directory, ModelConfig.Default, files.Values.Sum(f => (long)f.Length));
    }

    public static DecoderDimensions Dimensions => DecoderDimensions.Tiny;

    public static TinyTokenizer Tokenizer { get; } = new();

    public string Directory { get; }

    public GenAiGenerativeModel Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
