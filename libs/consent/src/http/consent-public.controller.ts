import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiProblemResponses, Public } from '@custos/core';
import { Bounces } from '../bounces/bounces';
import type { ConsentRequestInfo } from '../consent.types';
import { ConsentRecorder } from '../events/consent-recorder';
import {
  BounceOutcomeDto,
  BounceWebhookDto,
  ConsentChangeDto,
  PreferenceChangeDto,
} from './consent.dto';
import { confirmPage, donePage, preferencesPage, unsubscribePage } from './pages';

const TOKEN = {
  name: 'token',
  description: 'The signed token of the link, as in the mail.',
  example: 'eyJrIjoidSIs….Zk3…',
};

function requestInfo(request: Request): ConsentRequestInfo {
  return { ip: request.ip ?? null, userAgent: request.get('user-agent') ?? null };
}

/** Answers HTML to a browser (the page's button), JSON otherwise (mail clients, API). */
function answer(request: Request, response: Response, json: object, html: string): object | string {
  if (request.accepts(['json', 'html']) === 'html') {
    response.type('html');
    return html;
  }
  return json;
}

/**
 * The routes people reach from mails, without login or cookie: the signed token in the URL is the
 * only credential, and it names one contact (and purpose) only. GETs never change anything.
 */
@ApiTags('consent (public links)')
@Controller('consent')
export class ConsentPublicController {
  constructor(
    private readonly recorder: ConsentRecorder,
    private readonly bounces: Bounces,
  ) {}

  @Get('unsubscribe')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The unsubscribe page (changes nothing)',
    description:
      'Shows one button that POSTs the unsubscribe. Link scanners fetch URLs: a GET never unsubscribes.',
  })
  @ApiQuery(TOKEN)
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page.' })
  @ApiProblemResponses('validation', 'gone')
  async unsubscribePage(@Query('token') token: string): Promise<string> {
    const { purposeName } = await this.recorder.describeUnsubscribe(token);
    return unsubscribePage(token, purposeName);
  }

  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'One-click unsubscribe (RFC 8058)',
    description:
      'Withdraws consent for the purpose on the channel at once, for every address of the contact; no confirmation step. Idempotent: a repeated POST answers the same and appends nothing. Mail clients send `List-Unsubscribe=One-Click` as the form body; the body is not needed.',
  })
  @ApiQuery(TOKEN)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: ConsentChangeDto })
  @ApiProblemResponses('validation', 'gone')
  async unsubscribe(
    @Query('token') token: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<object | string> {
    const result = await this.recorder.unsubscribe(token, requestInfo(request));
    return answer(
      request,
      response,
      result,
      donePage('Unsubscribed', 'You will not receive these messages any more.'),
    );
  }

  @Get('preferences')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The preference page (changes nothing)',
    description: 'Each purpose of the channel, subscribed or not, with a button to change it.',
  })
  @ApiQuery(TOKEN)
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page.' })
  @ApiProblemResponses('validation', 'gone')
  async preferencesPage(@Query('token') token: string): Promise<string> {
    const { purposes } = await this.recorder.preferences(token);
    return preferencesPage(token, purposes);
  }

  @Post('preferences')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Change one preference',
    description:
      'Subscribe (to the notice version the page showed: the latest) or unsubscribe one purpose of the token’s channel.',
  })
  @ApiQuery(TOKEN)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: PreferenceChangeDto })
  @ApiOkResponse({ type: ConsentChangeDto })
  @ApiProblemResponses('validation', 'gone')
  async changePreference(
    @Query('token') token: string,
    @Body() body: PreferenceChangeDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<object | string> {
    const result = await this.recorder.changePreference(
      token,
      body.purposeId,
      body.action,
      requestInfo(request),
    );
    const { purposes } = await this.recorder.preferences(token);
    return answer(request, response, result, preferencesPage(token, purposes));
  }

  @Get('confirm')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The double opt-in confirmation page (changes nothing)' })
  @ApiQuery(TOKEN)
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page, with a button that POSTs the confirmation.' })
  @ApiProblemResponses('validation', 'gone')
  confirmPage(@Query('token') token: string): string {
    this.recorder.checkConfirmation(token);
    return confirmPage(token);
  }

  @Post('confirm')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm a double opt-in',
    description:
      'Records the consent as granted with the confirmation time. Confirming twice answers the same; a consent withdrawn since stays withdrawn.',
  })
  @ApiQuery(TOKEN)
  @ApiOkResponse({ type: ConsentChangeDto })
  @ApiProblemResponses('validation', 'gone')
  async confirm(
    @Query('token') token: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<object | string> {
    const result = await this.recorder.confirm(token, requestInfo(request));
    return answer(
      request,
      response,
      result,
      donePage(
        'Thank you',
        result.status === 'granted'
          ? 'Your subscription is confirmed.'
          : 'You had unsubscribed since: nothing changed.',
      ),
    );
  }

  @Post('bounces/webhook')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bounce intake of the sending provider',
    description:
      'A hard bounce, soft bounce, delivery or reply for a VERP return path, or a raw delivery-status notification. The body is signed with the webhook secret: `X-Custos-Signature: sha256=<hex HMAC-SHA256 of the body>`. 404 when no secret is configured.',
  })
  @ApiHeader({ name: 'X-Custos-Signature', required: true, example: 'sha256=5d1f…' })
  @ApiOkResponse({ type: BounceOutcomeDto })
  @ApiProblemResponses('unauthenticated', 'not_found', 'validation')
  bounce(
    @Body() body: BounceWebhookDto,
    @Req() request: Request & { rawBody?: Buffer },
  ): Promise<BounceOutcomeDto> {
    return this.bounces.intake(
      request.rawBody?.toString('utf8') ?? '',
      request.get('x-custos-signature'),
      body,
    );
  }
}
