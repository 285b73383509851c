using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Serverless.Tests.Jobs;

/// <summary>
/// Plays the Functions host's queue trigger against an app started with FUNCTIONS_CUSTOMHANDLER_PORT: receives from the
/// real queue and invokes <c>POST /ScoreShard</c> with the custom-handler payload, the message JSON-encoded twice as the
/// host delivers it.
/// </summary>
public sealed class FunctionsHostDriver(HttpClient app, QueueClient queue)
{
    public async Task<List<QueueMessage>> ReceiveAllAsync(int expected)
    {
        var messages = new List<QueueMessage>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (messages.Count < expected)
        {
            messages.AddRange((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value);
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected {expected} messages on {queue.Name}, got {messages.Count}");
            }
        }
        return messages;
    }

    public async Task<HttpResponseMessage> InvokeAsync(QueueMessage message, long? dequeueCount = null)
    {
        var text = message.Body.ToString();
        var payload = new
        {
            Data = new { message = JsonSerializer.Serialize(text) },
            Metadata = new { DequeueCount = dequeueCount ?? message.DequeueCount, Id = message.MessageId, InsertionTime = message.InsertedOn },
        };
        // The host's names are PascalCase ("Data", "Metadata"), not the web defaults' camelCase.
        return await app.PostAsJsonAsync("/ScoreShard", payload, new JsonSerializerOptions());
    }

    public async Task CompleteAsync(QueueMessage message) => await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
}
