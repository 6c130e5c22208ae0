package org.bigarrays.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a request line or headers over the limit, a malformed request, a
 * request refused during shutdown) in the server's JSON error form, without a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object s = request.getAttribute(ERROR_STATUS);
        if (s instanceof Integer i) status = i;
        Object m = request.getAttribute(ERROR_MESSAGE);
        String message = m instanceof String str && !str.isBlank() ? str : HttpStatus.getMessage(status);
        byte[] body = RequestHandler.errorBody(status, message);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(RequestHandler.errorBody(status, reason == null ? HttpStatus.getMessage(status) : reason));
    }
}
