using System.Diagnostics;

namespace Serverless.Tests.Fixtures;

/// <summary>A real FIFO in the file system, made by mkfifo(1): opening it for reading blocks until a writer opens it.</summary>
public static class NamedPipe
{
    public static void Create(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        mkfifo.WaitForExit();
        Assert.True(mkfifo.ExitCode == 0, $"mkfifo {path}: {mkfifo.StandardError.ReadToEnd()}");
    }
}
