// The orders API's request schemas: fastify validates every body, query and path against them
// before a handler runs, so handlers see only well-formed input.
export const orderLinesMax = 20;
export const orderQtyMax = 1_000;
export const productsLimitMax = 100;

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const;

export const registerSchema = {
  body: {
    type: 'object',
    required: ['email', 'name', 'password'],
    additionalProperties: false,
    properties: {
      // Stored lower-cased: one address, one account, however it was typed.
      email: { type: 'string', minLength: 3, maxLength: 120, pattern: '^[^@\\s]+@[^@\\s]+$' },
      name: { type: 'string', minLength: 1, maxLength: 80 },
      password: { type: 'string', minLength: 8, maxLength: 200 },
    },
  },
} as const;

export const productsSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      search: { type: 'string', minLength: 1, maxLength: 120 },
      limit: { type: 'integer', minimum: 1, maximum: productsLimitMax, default: 20 },
    },
  },
} as const;

export const productSchema = { params: idParams } as const;
export const userOrdersSchema = { params: idParams } as const;

export const placeOrderSchema = {
  body: {
    type: 'object',
    required: ['user_id', 'items'],
    additionalProperties: false,
    properties: {
      user_id: id,
      items: {
        type: 'array',
        minItems: 1,
        maxItems: orderLinesMax,
        items: {
          type: 'object',
          required: ['product_id', 'qty'],
          additionalProperties: false,
          properties: { product_id: id, qty: { type: 'integer', minimum: 1, maximum: orderQtyMax } },
        },
      },
    },
  },
} as const;

export interface RegisterBody {
  readonly email: string;
  readonly name: string;
  readonly password: string;
}
export interface ProductsQuery {
  readonly search?: string;
  readonly limit: number;
}
export interface IdParams {
  readonly id: number;
}
export interface PlaceOrderBody {
  readonly user_id: number;
  readonly items: readonly { readonly product_id: number; readonly qty: number }[];
}
