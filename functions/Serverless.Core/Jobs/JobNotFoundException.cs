using Serverless.Core.Errors;

namespace Serverless.Core.Jobs;

public sealed class JobNotFoundException(string id) : ServerlessException($"job '{id}' not found", 404);
