using EpdCluster.Gateway.OpenAi;
using Microsoft.AspNetCore.Diagnostics;

namespace EpdCluster.Gateway.Hosting;

internal static class OpenAiErrorHandlingExtensions
{
    /// <summary>
    /// Every error the framework produces becomes an OpenAI error object: unhandled exceptions a 500 without
    /// details (the exception is logged), unknown routes 404, wrong methods 405.
    /// </summary>
    public static WebApplication UseOpenAiErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteExceptionAsync });
        app.UseStatusCodePages(context => WriteStatusAsync(context.HttpContext));
        return app;
    }

    private static Task WriteExceptionAsync(HttpContext http)
    {
        var exception = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        var result = exception is BadHttpRequestException bad
            ? new OpenAiErrorResult(bad.StatusCode, new OpenAiError($"The request could not be read: {bad.Message}", OpenAiErrorType.InvalidRequest, null, "invalid_request"))
            : new OpenAiErrorResult(StatusCodes.Status500InternalServerError, OpenAiErrors.Internal());
        return result.ExecuteAsync(http);
    }

    private static Task WriteStatusAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.PathBase + request.Path;
        var status = http.Response.StatusCode;
        var error = status switch
        {
            StatusCodes.Status404NotFound => OpenAiErrors.UnknownUrl(request.Method, path),
            StatusCodes.Status405MethodNotAllowed => OpenAiErrors.MethodNotAllowed(request.Method, path),
            >= StatusCodes.Status500InternalServerError => OpenAiErrors.Internal(),
            _ => new OpenAiError($"The request failed with status {status}.", OpenAiErrorType.InvalidRequest, null, null),
        };
        return new OpenAiErrorResult(status, error).ExecuteAsync(http);
    }
}
