using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

/// <summary>The bicep binary from the Azure.Bicep.CommandLine.linux-x64 package (its BicepPath property).</summary>
internal static class BicepCli
{
    private static readonly Lazy<string> Executable = new(Locate);

    public static Task<ProcessResult> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync(Executable.Value, arguments, Repository.Infra);

    public static Task<ProcessResult> RunInAsync(string workingDirectory, params string[] arguments) =>
        ProcessRunner.RunAsync(Executable.Value, arguments, workingDirectory);

    private static string Locate()
    {
        var path = Repository.Metadata("BicepPath");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("The bicep binary is missing: restore Azure.Bicep.CommandLine.linux-x64.", path);
        }

        // NuGet extracts it with the owner's execute bit only; make sure whoever runs the tests may execute it.
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | execute);
            }
        }

        return path;
    }
}
