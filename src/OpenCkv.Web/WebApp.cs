using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenCkv.Web;

/// <summary>`ckv web`: the device screens and the log explorer, served on loopback over the CLI's profiles.</summary>
public static class WebApp
{
    /// <summary>Builds the app; the caller starts it.</summary>
    public static WebApplication Build(WebOptions options, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ProfileDevices>();
        builder.Services.AddSingleton<Comparisons>();
        builder.Services.AddRazorPages().AddApplicationPart(typeof(WebApp).Assembly);

        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            // A web page elsewhere may point a name of its own at 127.0.0.1 (DNS rebinding): only loopback names are
            // answered, so no other site can read these screens.
            if (!IsLoopbackHost(context.Request.Host.Host))
            {
                context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                return;
            }

            // Nothing is loaded from elsewhere, and no other site may frame the screens.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/assets/{file}", Asset);
        app.MapGet("/health", () => Results.Text("ok"));
        app.MapRazorPages();
        return app;
    }

    /// <summary>Whether a request's host names this machine: localhost or a loopback address.</summary>
    public static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out System.Net.IPAddress? address) && System.Net.IPAddress.IsLoopback(address));

    /// <summary>The stylesheet and the small script, built into the assembly: no download at run time.</summary>
    private static IResult Asset(string file)
    {
        string? type = Path.GetExtension(file) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        Stream? stream = type is null ? null : typeof(WebApp).Assembly.GetManifestResourceStream("assets/" + file);
        return stream is null ? Results.NotFound() : Results.Stream(stream, type);
    }
}
