"""A small FastAPI app written the way the FastAPI tutorial writes one (items, "Body - Updates",
"Additional Status Codes", "Simple OAuth2"), to run restaudit in front of a framework this
project did not write. Nothing here is tuned to restaudit: these are the tutorial's patterns.
Run: /usr/bin/python3 -m uvicorn app:app --port 3121
"""
from typing import Union

from fastapi import FastAPI, HTTPException, Response, status
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: Union[str, None] = None
    description: Union[str, None] = None
    price: Union[float, None] = None
    tax: float = 10.5


items = {
    "foo": {"name": "Foo", "price": 50.2},
    "bar": {"name": "Bar", "description": "The bartenders", "price": 62, "tax": 20.2},
}
next_id = 1


@app.get("/items/{item_id}", response_model=Item)
async def read_item(item_id: str):
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    return items[item_id]


# "Body - Updates": PUT replaces the stored item (and stores a new one the same way).
@app.put("/items/{item_id}", response_model=Item)
async def update_item(item_id: str, item: Item):
    update_item_encoded = jsonable_encoder(item)
    items[item_id] = update_item_encoded
    return update_item_encoded


@app.patch("/items/{item_id}", response_model=Item)
async def patch_item(item_id: str, item: Item):
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    stored_item_model = Item(**items[item_id])
    update_data = item.dict(exclude_unset=True)
    updated_item = stored_item_model.copy(update=update_data)
    items[item_id] = jsonable_encoder(updated_item)
    return updated_item


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(item_id: str):
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    del items[item_id]
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@app.post("/items/", status_code=status.HTTP_201_CREATED)
async def create_item(item: Item):
    global next_id
    item_id = str(next_id)
    next_id += 1
    items[item_id] = jsonable_encoder(item)
    return {"id": item_id, **items[item_id]}


# "Simple OAuth2": the token endpoint (here with a JSON body: python-multipart is optional).
class Login(BaseModel):
    username: str
    password: str


@app.post("/token")
async def login(form: Login):
    if form.password != "secret":
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": form.username, "token_type": "bearer"}


@app.get("/users/me")
async def read_users_me(response: Response):
    raise HTTPException(status_code=401, detail="Not authenticated", headers={"WWW-Authenticate": "Bearer"})
