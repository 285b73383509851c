using System.Diagnostics;

namespace Serverless.Tests.Fixtures;

/// <summary>
/// A tmpfs of a few hundred KiB mounted on a fresh folder: a data disk to fill for real, so writes fail with the
/// kernel's own ENOSPC (partial writes included) rather than a fake's. Mounting needs root on Linux (CI runs as root);
/// elsewhere the tests that need one are skipped (<see cref="WithSmallDiskFactAttribute"/>).
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private static readonly Lazy<string?> Unavailability = new(Probe);
    private readonly string _filler;

    private SmallDisk(string path)
    {
        Path = path;
        _filler = System.IO.Path.Combine(path, "filler");
    }

    /// <summary>Why no small disk can be mounted here; null when one can.</summary>
    public static string? Unavailable => Unavailability.Value;

    public string Path { get; }

    public static SmallDisk Mount(int kibibytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "serverless-small-disk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k", "tmpfs", path) is { } error)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed: {error}");
        }
        return new SmallDisk(path);
    }

    /// <summary>Takes every free byte, so the next write that needs space fails with ENOSPC.</summary>
    public void Fill()
    {
        using var file = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
        }
    }

    public void Free() => File.Delete(_filler);

    public void MakeReadOnly() => Remount("ro");

    public void MakeWritable() => Remount("rw");

    public void Dispose()
    {
        // Lazy: a process the test started may still hold a file open on it.
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private void Remount(string mode)
    {
        if (Run("mount", "-o", $"remount,{mode}", Path) is { } error)
        {
            throw new InvalidOperationException($"mount -o remount,{mode} failed: {error}");
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux to mount a tmpfs as a small data disk";
        }
        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root to mount a tmpfs as a small data disk (CI runs as root)";
        }
        try
        {
            Mount(64).Dispose();
            return null;
        }
        catch (Exception e)
        {
            return $"cannot mount a tmpfs as a small data disk here: {e.Message}";
        }
    }

    /// <returns>Null when the command succeeded, else what it said.</returns>
    private static string? Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {error.Trim()}";
    }
}

/// <summary>A fact that needs a <see cref="SmallDisk"/>: skipped, saying why, where none can be mounted.</summary>
internal sealed class WithSmallDiskFactAttribute : FactAttribute
{
    public WithSmallDiskFactAttribute()
    {
        if (SmallDisk.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
