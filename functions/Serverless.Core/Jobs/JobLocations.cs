namespace Serverless.Core.Jobs;

/// <summary>A job's input and output resolved in its owner's namespace, the one way every step of a job resolves them.</summary>
public static class JobLocations
{
    /// <exception cref="InvalidJobException">Either is refused by the location policy, or the output folder holds the input.</exception>
    public static (JobLocation Input, JobLocation Output) Resolve(IJobFiles files, JobRequest request)
    {
        var input = files.Resolve(request.Input, "input", request.Owner);
        var output = files.Resolve(request.Output, "output", request.Owner);
        // Parts, error files and the manifest go under the output folder: an input there could be overwritten by them.
        if (input.Value == output.Value || input.Value.StartsWith(output.Value.TrimEnd('/', Path.DirectorySeparatorChar) + "/", StringComparison.Ordinal)
            || input.Value.StartsWith(output.Value.TrimEnd('/', Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidJobException($"'output' '{request.Output}' holds the input '{request.Input}': a job may never write where its input is");
        }
        return (input, output);
    }
}
