using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpenCkv.Auditor;

/// <summary>
/// The auditor's HTTP face: <c>GET /v1/head</c> (its latest signed AuditorTreeHead, TLS-encoded; 404 before the
/// first) and <c>GET /health</c> (JSON with the tree size; 503 with the alarm once one is raised), while
/// <see cref="AuditorService.RunAsync"/> follows the log. SIGTERM and Ctrl-C stop both.
/// </summary>
public static class AuditorHost
{
    /// <summary>Serves <paramref name="service"/> on <paramref name="urls"/> and follows the log until stopped.</summary>
    /// <returns>0 when stopped, 1 when the auditor's storage failed.</returns>
    public static async Task<int> RunAsync(AuditorService service, string urls, TimeSpan poll)
    {
        ArgumentNullException.ThrowIfNull(service);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        WebApplication app = builder.Build();
        app.MapGet("/v1/head", () => service.Head is { } head ? Results.Bytes(head, "application/octet-stream") : Results.NotFound());
        app.MapGet("/health", () =>
        {
            var health = new JsonObject { ["status"] = service.Alarm is null ? "ok" : "alarm", ["treeSize"] = service.TreeSize };
            if (service.Alarm is { } alarm)
            {
                health["alarm"] = JsonNode.Parse(alarm);
            }

            return Results.Text(health.ToJsonString(), "application/json", statusCode: service.Alarm is null ? 200 : 503);
        });

        await app.StartAsync().ConfigureAwait(false);
        int exit = 0;
        Task follow = Task.Run(async () =>
        {
            try
            {
                await service.RunAsync(poll, app.Lifetime.ApplicationStopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database or the key failed: stop rather than go on with a state the folder does not hold.
                await Console.Error.WriteLineAsync($"ckv auditor: stopped: {e.Message}").ConfigureAwait(false);
                exit = 1;
                app.Lifetime.StopApplication();
            }
        });
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await follow.ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return exit;
    }
}
