// Type tests: `tsc --noEmit` checks this file (a wrong type fails the typecheck); at run time the
// assertions are no-ops, and the tests only make sure the typed code also runs.
import express from 'express'
import Fastify, { type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify'
import { Hono, type Context as HonoContext, type MiddlewareHandler } from 'hono'
import Koa, { type Context as KoaContext, type Middleware } from 'koa'
import { describe, expectTypeOf, it } from 'vitest'
import { type ExpressRateLimitOptions, rateLimit as expressRateLimit } from '../adapters/express.js'
import { type FastifyRateLimitOptions, rateLimit as fastifyRateLimit } from '../adapters/fastify.js'
import { type FetchRateLimit, type FetchRateLimitOptions, rateLimit as fetchRateLimit } from '../adapters/fetch.js'
import { type HonoRateLimitOptions, rateLimit as honoRateLimit, type RateLimitEnv } from '../adapters/hono.js'
import { type KoaRateLimitOptions, rateLimit as koaRateLimit, type RateLimitState } from '../adapters/koa.js'
import type { AlgorithmName, HeadersDraft, RateLimitResult, Store } from '../src/index.js'

type Callback<Options, Name extends keyof Options> = Exclude<Options[Name], undefined>

describe('the options every adapter shares', () => {
  it('types the shared option values', () => {
    expectTypeOf<ExpressRateLimitOptions['limit']>().toEqualTypeOf<
      number | ((request: express.Request) => number | Promise<number>) | undefined
    >()
    expectTypeOf<KoaRateLimitOptions['algorithm']>().toEqualTypeOf<AlgorithmName | undefined>()
    expectTypeOf<HonoRateLimitOptions['standardHeaders']>().toEqualTypeOf<HeadersDraft | false | undefined>()
    expectTypeOf<FastifyRateLimitOptions['store']>().toEqualTypeOf<Store | undefined>()
    expectTypeOf<AlgorithmName>().toEqualTypeOf<'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra'>()
    expectTypeOf<HeadersDraft>().toEqualTypeOf<'draft-6' | 'draft-7' | 'draft-8'>()
    expectTypeOf<FetchRateLimitOptions['trustProxy']>().toEqualTypeOf<boolean | number | undefined>()
    expectTypeOf<ExpressRateLimitOptions>().not.toHaveProperty('trustProxy')
    // Built, never called: each would throw at setup, and each is a type error first.
    // @ts-expect-error a draft that does not exist
    const unknownDraft = () => expressRateLimit({ standardHeaders: 'draft-9' })
    // @ts-expect-error the cost is a number or a function, not text
    const textCost = () => koaRateLimit({ cost: '2' })
    expectTypeOf([unknownDraft, textCost]).items.toBeFunction()
  })

  it('takes a keyGenerator that returns text or a number, and rejects one that returns anything else', () => {
    expectTypeOf<ReturnType<Callback<ExpressRateLimitOptions, 'keyGenerator'>>>().toEqualTypeOf<
      string | number | bigint | Promise<string | number | bigint>
    >()
    const userId = () => expressRateLimit({ keyGenerator: (req) => Number(req.params.id) })
    const asyncKey = () => fetchRateLimit({ keyGenerator: async (request) => request.url })
    // @ts-expect-error a boolean is no key
    const flag = () => koaRateLimit({ keyGenerator: (ctx) => ctx.secure })
    // @ts-expect-error an object is no key
    const user = () => honoRateLimit({ keyGenerator: () => ({ id: 1 }) })
    // @ts-expect-error nor is a missing one: the type says so before the fallback key does
    const missing = () => fastifyRateLimit({ keyGenerator: (request) => request.headers['x-user'] })
    expectTypeOf([userId, asyncKey, flag, user, missing]).items.toBeFunction()
  })
})

describe('Express', () => {
  it('hands callbacks the Express req and res, and exposes req.rateLimit', () => {
    expectTypeOf(expressRateLimit()).toEqualTypeOf<express.RequestHandler>()
    expectTypeOf<Parameters<Callback<ExpressRateLimitOptions, 'keyGenerator'>>>().toEqualTypeOf<[express.Request]>()
    expectTypeOf<Parameters<Callback<ExpressRateLimitOptions, 'requestWasSuccessful'>>>().toEqualTypeOf<
      [express.Request, express.Response]
    >()
    expectTypeOf<Parameters<Callback<ExpressRateLimitOptions, 'handler'>>>().toEqualTypeOf<
      [express.Request, express.Response, express.NextFunction, RateLimitResult]
    >()
    express().get('/', expressRateLimit(), (req, res) => {
      expectTypeOf(req.rateLimit).toEqualTypeOf<RateLimitResult | undefined>()
      res.end()
    })
  })
})

describe('Koa', () => {
  it('hands callbacks the Koa ctx, and types ctx.state.rateLimit after app.use', () => {
    expectTypeOf(koaRateLimit()).toEqualTypeOf<Middleware<RateLimitState>>()
    expectTypeOf<Parameters<Callback<KoaRateLimitOptions, 'skip'>>>().toEqualTypeOf<[KoaContext]>()
    expectTypeOf<Parameters<Callback<KoaRateLimitOptions, 'handler'>>>().toEqualTypeOf<[KoaContext, RateLimitResult]>()
    new Koa().use(koaRateLimit()).use((ctx) => {
      expectTypeOf(ctx.state.rateLimit).toEqualTypeOf<RateLimitResult>()
    })
  })
})

describe('Hono', () => {
  it('hands callbacks the Hono context, and types c.get("rateLimit")', () => {
    expectTypeOf(honoRateLimit()).toEqualTypeOf<MiddlewareHandler<RateLimitEnv>>()
    expectTypeOf<Parameters<Exclude<HonoRateLimitOptions['cost'], number | undefined>>>().toEqualTypeOf<[HonoContext]>()
    expectTypeOf<ReturnType<Callback<HonoRateLimitOptions, 'handler'>>>().toEqualTypeOf<Response | Promise<Response>>()
    new Hono().get('/', honoRateLimit(), (c) => {
      expectTypeOf(c.get('rateLimit')).toEqualTypeOf<RateLimitResult>()
      return c.text('ok')
    })
    new Hono<RateLimitEnv>().use(honoRateLimit()).get('/', (c) => c.text(String(c.var.rateLimit.remaining)))
  })
})

describe('Fastify', () => {
  it('is a plugin whose callbacks get request and reply, and exposes request.rateLimit', () => {
    expectTypeOf(fastifyRateLimit()).toEqualTypeOf<FastifyPluginAsync>()
    expectTypeOf<Parameters<Callback<FastifyRateLimitOptions, 'requestWasSuccessful'>>>().toEqualTypeOf<
      [FastifyRequest, FastifyReply]
    >()
    expectTypeOf<FastifyRequest['rateLimit']>().toEqualTypeOf<RateLimitResult | undefined>()
    Fastify().get('/', async (request) => request.rateLimit?.remaining)
  })
})

describe('fetch', () => {
  it('is a Request guard, with the decision and headers per request', () => {
    const guard = fetchRateLimit()
    expectTypeOf(guard).toEqualTypeOf<FetchRateLimit>()
    expectTypeOf(guard).toExtend<(request: Request) => Promise<Response | undefined>>()
    expectTypeOf(guard.resultOf).returns.toEqualTypeOf<RateLimitResult | undefined>()
    expectTypeOf(guard.headersOf).returns.toEqualTypeOf<Headers>()
    expectTypeOf(guard.finish).parameters.toEqualTypeOf<[Request, Response]>()
    expectTypeOf<Parameters<Callback<FetchRateLimitOptions, 'keyGenerator'>>>().toEqualTypeOf<[Request]>()
  })
})
