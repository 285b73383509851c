namespace Serverless.FunctionsHost.Tests;

/// <summary>A fresh folder under the temp path, deleted on dispose: each app process gets its own data folder.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "serverless-fh-" + Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file a killed process still held; the OS cleans the temp folder eventually.
        }
    }
}
